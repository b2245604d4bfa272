import { Entity, RowConstraint } from '../../edm/entity';
import { EntityType, OWNER_PROPERTIES } from '../../edm/model';
import { TenantScope } from './entity.store';
import { ROW_ALIAS } from './entity-rows';

/**
 * What keeps a store's SQL to the caller's rows: the tenant, a navigation's row constraint on
 * declared columns only (never request text as an identifier), for reads and for writes.
 */

const TENANT_COLUMN = OWNER_PROPERTIES.tenant;

/** A store inserts a row only into the tenant it names (the service checked the caller). */
export function requireOwnTenant(tenant: TenantScope, entity: Entity): void {
  if (entity.properties[TENANT_COLUMN] !== tenant.tenantId) {
    throw new Error('An entity can only be inserted into its own partner tenant.');
  }
}

/** A property name used as an identifier must be one the model declares (not request text). */
export function requireDeclared(entity: EntityType, property: string): void {
  if (!(property in entity.properties)) {
    throw new Error(`${entity.name} declares no property '${property}'.`);
  }
}

/** A row constraint as conditions on declared columns and their bound values. */
export function constraintOf(
  entity: EntityType,
  within: RowConstraint | undefined,
): {
  conditions: string[];
  parameters: Record<string, string>;
} {
  const conditions: string[] = [];
  const parameters: Record<string, string> = {};
  Object.entries(within ?? {}).forEach(([property, value], index) => {
    requireDeclared(entity, property);
    conditions.push(`"${ROW_ALIAS}"."${property}" = :within${index}`);
    parameters[`within${index}`] = value;
  });
  return { conditions, parameters };
}

/** Whether a row satisfies a constraint. */
export function satisfies(entity: Entity, within: RowConstraint | undefined): boolean {
  return Object.entries(within ?? {}).every(
    // Constraint values are text; an Int32 column (a run's runNumber) compares as its digits.
    ([property, value]) => String(entity.properties[property]) === value,
  );
}
