import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { GraphClient } from './graph-client';
import { CustomerPage, PartnerCustomers } from './partner-customers';
import { TenantTokens } from './tenant-tokens';

const PARTNER = '0f0e0d0c-0b0a-4909-8807-060504030201';
const CUSTOMERS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];

/** The partner's /contracts on loopback, in two pages, with customerIds good and bad. */
describe('PartnerCustomers', () => {
  let server: Server;
  let origin: string;
  let pages: Array<Record<string, unknown>>;
  const dispatcher = new Agent({ connections: 2 });

  beforeAll(async () => {
    server = createServer((request, response) => {
      const page = pages[Number(new URL(request.url!, origin).searchParams.get('$skiptoken') ?? 0)];
      response
        .writeHead(page ? 200 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify(page ?? { error: { code: 'notFound' } }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await dispatcher.destroy();
    await new Promise((done) => server.close(done));
  });

  const customers = () => {
    const config = { graphApiUrl: origin, maxAttempts: 1, callTimeoutMs: 2_000, retryBaseMs: 1 };
    const graph = new GraphClient(config, dispatcher);
    // Without a client id the dapAccessToken itself is the partner's token: no token endpoint.
    const tokens = new TenantTokens({ ...config, authorityUrl: origin }, dispatcher);
    return new PartnerCustomers(graph, tokens);
  };

  it('follows nextLinks, gives each page as it comes: GUID customerIds (once a page, in lower case) and the others refused', async () => {
    pages = [
      {
        value: [
          {
            customerId: CUSTOMERS[0].toUpperCase(),
            displayName: ' Contoso the-dap-token ',
            defaultDomainName: 'contoso.onmicrosoft.com',
            contractType: 'ResellerPartner',
          },
          { customerId: '..' },
          { customerId: 7 },
        ],
        '@odata.nextLink': `${origin}/v1.0/contracts?$skiptoken=1`,
      },
      {
        value: [{ customerId: CUSTOMERS[1] }, { customerId: CUSTOMERS[0] }, {}, null],
        '@odata.nextLink': 'http://169.254.169.254/v1.0/contracts?$skiptoken=2',
      },
    ];
    const calls: string[] = [];
    const pagesTaken: CustomerPage[] = [];
    await customers().list(
      PARTNER,
      { dapAccessToken: 'the-dap-token' },
      async (attempt) => {
        calls.push(attempt.request.url);
      },
      async (page) => {
        // Each page is taken before the next is asked for.
        expect(calls).toHaveLength(pagesTaken.length + 1);
        pagesTaken.push(page);
      },
    );
    const bare = (tenantId: string) => ({
      tenantId,
      displayName: tenantId,
      defaultDomainName: null,
      contractType: null,
    });
    expect(pagesTaken).toEqual([
      {
        tenants: [CUSTOMERS[0]],
        refused: ['..', '7'],
        // Its texts trimmed and scrubbed of the credentials' secrets.
        contracts: [
          {
            tenantId: CUSTOMERS[0],
            displayName: 'Contoso [redacted]',
            defaultDomainName: 'contoso.onmicrosoft.com',
            contractType: 'ResellerPartner',
          },
        ],
      },
      {
        tenants: [CUSTOMERS[1], CUSTOMERS[0]],
        refused: ['null'],
        contracts: [bare(CUSTOMERS[1]), bare(CUSTOMERS[0])],
      },
    ]);
    // The foreign nextLink was not followed.
    expect(calls).toEqual([
      `${origin}/v1.0/contracts?$select=customerId,displayName,defaultDomainName,contractType&$top=999`,
      `${origin}/v1.0/contracts?$skiptoken=1`,
    ]);
  });

  it("fails in the caller's terms on an answer that is not a listing", async () => {
    pages = [{ value: 'x', nested: JSON.parse('['.repeat(200) + ']'.repeat(200)) }];
    const nothing = async () => undefined;
    await expect(
      customers().list(PARTNER, { dapAccessToken: 'the-dap-token' }, nothing, nothing),
    ).rejects.toThrow(
      'with a body that is not a JSON object (or is nested deeper than 128 levels)',
    );
  });
});
