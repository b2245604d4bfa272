import {
  Client,
  Context,
  HTTPMessageHandler,
  Middleware,
  PageCollection,
  PageIterator,
} from '@microsoft/microsoft-graph-client';
import { newOperation } from './support/operation-factory';
import { ListeningApp, startListening } from './support/test-app';

/**
 * The official Microsoft Graph JS SDK, pointed at our server over plain http on localhost, walks
 * every page with its PageIterator. (It would mistake an absolute http:// nextLink for a path,
 * which is why our nextLinks are relative to the service root by default.)
 */
describe('Microsoft Graph JS SDK PageIterator', () => {
  let server: ListeningApp;
  let baseUrl: string;
  let token: string;

  beforeAll(async () => {
    server = await startListening();
    token = server.token;
    baseUrl = server.baseUrl;
  });
  afterAll(async () => {
    await server.close();
  });

  it('walks all pages of a filtered, ordered collection', async () => {
    // The SDK's own AuthenticationHandler sends tokens to https Graph hosts only (and strips them
    // elsewhere), so over plain http on localhost a middleware of ours adds the bearer token; the
    // rest of the chain is the SDK's.
    const bearer: Middleware & { next?: Middleware } = {
      async execute(context: Context) {
        const request = context.request as string;
        const headers = new Headers(
          context.options?.headers as ConstructorParameters<typeof Headers>[0],
        );
        headers.set('Authorization', `Bearer ${token}`);
        context.options = { ...context.options, headers };
        context.request = request;
        await this.next!.execute(context);
      },
      setNext(next: Middleware) {
        this.next = next;
      },
    };
    const client = Client.initWithMiddleware({
      baseUrl,
      defaultVersion: 'beta',
      middleware: [bearer, new HTTPMessageHandler()],
    });
    const created: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      const body = await client.api('/managedTenantOperations').post(
        newOperation({
          status: i % 2 ? 'sdk' : 'other',
          name: `sdk ${String(i).padStart(2, '0')}`,
        }),
      );
      created.push(body.id);
    }
    const first: PageCollection = await client
      .api('/managedTenantOperations')
      .filter("status eq 'sdk'")
      .orderby('name')
      .header('Prefer', 'odata.maxpagesize=4')
      .get();
    expect(first['@odata.nextLink']).toMatch(/^managedTenantOperations\?/);

    const names: string[] = [];
    const iterator = new PageIterator(
      client,
      first,
      (operation: { name: string }) => {
        names.push(operation.name);
        return true;
      },
      { headers: { Prefer: 'odata.maxpagesize=4' } },
    );
    await iterator.iterate();

    const expected = Array.from({ length: 23 }, (_, i) => i)
      .filter((i) => i % 2)
      .map((i) => `sdk ${String(i).padStart(2, '0')}`);
    expect(names).toEqual(expected);
    expect(iterator.isComplete()).toBe(true);
  });
});
