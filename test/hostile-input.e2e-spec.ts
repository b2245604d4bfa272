import { connect } from 'node:net';
import { newOperation } from './support/operation-factory';
import { ENTITY_SET, ListeningApp, startListening, TestApp } from './support/test-app';

/** Hostile or malformed requests, as found from outside; each is a regression test. */
describe('hostile input', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
    await app.post(newOperation());
  });
  afterAll(() => app.dispose());

  it.each([
    [`${ENTITY_SET}('')`, `GET ${ENTITY_SET}('')`],
    [`${ENTITY_SET}(id='')`, `GET ${ENTITY_SET}(id='')`],
    [`${ENTITY_SET}(%27%27)`, `GET ${ENTITY_SET}(%27%27)`],
    [`${ENTITY_SET}('')/$count`, `GET ${ENTITY_SET}('')/$count`],
    [`${ENTITY_SET}('')?$select=id`, `GET ${ENTITY_SET}('')`],
    [`${ENTITY_SET}(abc)`, `GET ${ENTITY_SET}(abc)`],
  ])(
    'answers the empty or malformed key predicate %s with 404 naming the URL as sent, never another resource',
    async (url, named) => {
      const response = await app.get(url);
      expect(response.statusCode).toBe(404);
      expect(response.json().value).toBeUndefined();
      expect(response.json().error).toMatchObject({
        code: 'resourceNotFound',
        message: `No resource is at ${named}.`,
      });
    },
  );

  describe('CONNECT', () => {
    let listening: ListeningApp;
    beforeAll(async () => {
      listening = await startListening();
    });
    afterAll(() => listening.close());

    /** What the server answers a raw request with, until it closes the connection. */
    const exchange = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(listening.baseUrl).port), '127.0.0.1', () =>
          socket.write(request),
        );
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('error', reject);
        socket.on('close', () => resolve(received));
      });
    const parse = (text: string) => {
      const [head, body] = text.split('\r\n\r\n');
      return {
        statusLine: head.split('\r\n')[0],
        head: head.toLowerCase(),
        body: JSON.parse(body),
      };
    };

    it('answers CONNECT to an entity set with 405, Allow and the OData error body, then closes', async () => {
      const response = parse(
        await exchange(`CONNECT ${ENTITY_SET} HTTP/1.1\r\nHost: localhost\r\n\r\n`),
      );
      expect(response.statusLine).toBe('HTTP/1.1 405 Method Not Allowed');
      expect(response.head).toContain('allow: get, head, post');
      expect(response.head).toContain('connection: close');
      expect(response.body.error).toMatchObject({
        code: 'methodNotAllowed',
        message: `CONNECT is not allowed on ${ENTITY_SET}; allowed: GET, HEAD, POST.`,
      });
    });

    it('answers CONNECT host:port (a tunnel request) with 404 and the OData error body', async () => {
      const response = parse(
        await exchange('CONNECT 169.254.169.254:443 HTTP/1.1\r\nHost: 169.254.169.254:443\r\n\r\n'),
      );
      expect(response.statusLine).toBe('HTTP/1.1 404 Not Found');
      expect(response.body.error.code).toBe('resourceNotFound');
    });
  });
});
