import { InvalidRequestError } from '../common/errors';
import { TenantGroupProperties } from '../edm/model';
import { CheckedExpression, SortKey } from '../odata/query/checked-query';
import { parseFilter } from '../odata/query/expression-parser';
import { InvalidQueryError } from '../odata/query/invalid-query.error';
import { QueryChecker } from '../odata/query/query-checker';

/**
 * Which tenants of the directory a group holds: `everyone` (allTenantsIncluded), `nobody`, or
 * the tenants a filter over the directory selects (those named in tenantIds, or selected by the
 * membership rule). The rule is an OData `$filter` over `tenants`, checked by the query layer as
 * a request's would be.
 */
export type Membership =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'nobody' }
  | { readonly kind: 'filter'; readonly filter: CheckedExpression };

export class GroupMembership {
  /** `tenants`' query checker. */
  constructor(private readonly tenants: QueryChecker) {}

  /** The rule checked; a bad one is a 400 saying where (`Invalid membershipRule at position 7: …`). */
  checkRule(rule: string): CheckedExpression {
    try {
      return this.tenants.checkFilter(parseFilter(rule));
    } catch (error) {
      if (!(error instanceof InvalidQueryError)) throw error;
      throw new InvalidRequestError(
        error.message.replace(/^Invalid \$filter/, 'Invalid membershipRule'),
      );
    }
  }

  /** The directory's default order (to page through a rule's tenants). */
  order(): SortKey[] {
    return this.tenants.defaultOrder();
  }

  of(
    group: Pick<TenantGroupProperties, 'allTenantsIncluded' | 'tenantIds' | 'membershipRule'>,
  ): Membership {
    if (group.allTenantsIncluded) return { kind: 'everyone' };
    const named = group.tenantIds ?? [];
    const byName: CheckedExpression | undefined =
      named.length > 0
        ? {
            kind: 'in',
            operand: {
              kind: 'value',
              type: 'Edm.String',
              source: { kind: 'column', column: this.tenants.entity.key, jsonPath: [] },
            },
            list: named.map((id) => ({ kind: 'literal', type: 'Edm.String', value: id })),
          }
        : undefined;
    const byRule = group.membershipRule ? this.checkRule(group.membershipRule) : undefined;
    const filter =
      byName && byRule
        ? ({ kind: 'logical', operator: 'or', left: byName, right: byRule } as const)
        : (byName ?? byRule);
    return filter ? { kind: 'filter', filter } : { kind: 'nobody' };
  }
}
