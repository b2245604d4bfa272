import { secretRedactor } from '../../common/redaction';
import { isGuid } from '../../edm/primitive-formats';
import {
  CallAttempt,
  GraphCallError,
  GraphClient,
  MAX_ANSWER_DEPTH,
  nestingDepth,
} from './graph-client';
import { DelegatedCredentials, secretsOf, TenantTokens } from './tenant-tokens';

/** The most pages of `/contracts` read for one listing. */
const MAX_CONTRACT_PAGES = 200;
/** Contracts whose customerId is not a tenant id reported at most (the rest are only counted). */
const MAX_REFUSED_CUSTOMERS = 100;
/** One customer's contract, as `GET /v1.0/contracts` gives it (strings cut to what is kept). */
export interface CustomerContract {
  readonly tenantId: string;
  readonly displayName: string;
  readonly defaultDomainName: string | null;
  readonly contractType: string | null;
}

/** The customers one page of `/contracts` lists: tenant ids, and the customerIds that are not one. */
export interface CustomerPage {
  readonly tenants: string[];
  readonly refused: string[];
  /** The contracts of `tenants`, one each, in the same order. */
  readonly contracts: CustomerContract[];
}

/** The longest name or domain kept from a contract. */
const MAX_CONTRACT_TEXT = 256;
const MAX_CONTRACT_TYPE = 64;

/**
 * A partner's customer tenants: the `customerId` of every contract of `GET /v1.0/contracts` in
 * the partner's own tenant, following nextLinks on the Graph endpoint. A customerId that is not a
 * GUID is never used as a tenant (it would go into the token endpoint's URL and into rows): it is
 * refused, and the caller reports it. Fails with a GraphCallError or a TokenRequestError.
 *
 * Each page goes to `take` as it comes, so that listing many thousands of customers holds one
 * page at a time; a customer listed twice (on two pages) is the taker's to count once.
 */
export class PartnerCustomers {
  constructor(
    private readonly graph: GraphClient,
    private readonly tokens: TenantTokens,
    /** The service's own secrets, kept out of what is reported. */
    private readonly serviceSecrets: readonly string[] = [],
  ) {}

  async list(
    partnerTenantId: string,
    credentials: DelegatedCredentials,
    record: (attempt: CallAttempt) => Promise<void>,
    take: (page: CustomerPage) => Promise<void>,
  ): Promise<void> {
    const token = await this.tokens.tokenFor(partnerTenantId, credentials);
    const redact = secretRedactor([token, ...secretsOf(credentials), ...this.serviceSecrets]);
    let refusedSoFar = 0;
    let url: string | undefined = this.graph.urlOf(
      '/v1.0/contracts?$select=customerId,displayName,defaultDomainName,contractType&$top=999',
    );
    for (let page = 0; url && page < MAX_CONTRACT_PAGES; page += 1) {
      const answer = await this.graph.call({ method: 'GET', url, headers: [] }, token, record);
      const fail = (what: string): GraphCallError =>
        new GraphCallError(
          `GET /v1.0/contracts answered ${answer.status} in the partner tenant ${partnerTenantId}${what}: its customers could not be listed.`,
          answer.status,
          answer.attempts,
        );
      if (answer.status !== 200) throw fail('');
      const body = objectOf(answer.body);
      if (!body) {
        throw fail(
          ` with a body that is not a JSON object (or is nested deeper than ${MAX_ANSWER_DEPTH} levels)`,
        );
      }
      const customers = new Map<string, CustomerContract>();
      const refused = new Set<string>();
      for (const listed of Array.isArray(body.value) ? (body.value as unknown[]) : []) {
        const contract = (typeof listed === 'object' && listed !== null ? listed : {}) as Record<
          string,
          unknown
        >;
        const customerId = contract.customerId;
        if (typeof customerId === 'string' && isGuid(customerId)) {
          const tenantId = customerId.toLowerCase();
          if (!customers.has(tenantId)) {
            customers.set(tenantId, contractOf(tenantId, contract, redact));
          }
        } else if (refusedSoFar + refused.size < MAX_REFUSED_CUSTOMERS) {
          const shown =
            typeof customerId === 'string' ? customerId : JSON.stringify(customerId ?? null);
          refused.add(redact(shown.slice(0, 100)));
        }
      }
      refusedSoFar += refused.size;
      await take({
        tenants: [...customers.keys()],
        refused: [...refused],
        contracts: [...customers.values()],
      });
      const next = body['@odata.nextLink'];
      url = typeof next === 'string' && this.graph.isAllowed(next) ? next : undefined;
    }
  }
}

/** What is kept of a contract: its texts cut to size and scrubbed of secrets, the id as name if none. */
function contractOf(
  tenantId: string,
  contract: Record<string, unknown>,
  redact: (text: string) => string,
): CustomerContract {
  const text = (value: unknown, max: number): string | null =>
    typeof value === 'string' && value.trim() !== '' ? redact(value.trim().slice(0, max)) : null;
  return {
    tenantId,
    displayName: text(contract.displayName, MAX_CONTRACT_TEXT) ?? tenantId,
    defaultDomainName: text(contract.defaultDomainName, MAX_CONTRACT_TEXT),
    contractType: text(contract.contractType, MAX_CONTRACT_TYPE),
  };
}

/** The answer as a JSON object, or undefined when it is not one (or nests too deep to read). */
function objectOf(text: string): Record<string, unknown> | undefined {
  if (nestingDepth(text) > MAX_ANSWER_DEPTH) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
