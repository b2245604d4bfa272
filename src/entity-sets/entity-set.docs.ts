/** OpenAPI texts and names shared by the controllers of the entity sets and their navigations. */

/** The delta function, as Swagger UI describes it. */
export const DELTA_DESCRIPTION =
  'The first call returns every current item, in pages (@odata.nextLink); the last page has an ' +
  '@odata.deltaLink. Calling the deltaLink later returns what changed since: created and ' +
  'updated items (current state, with the $select of the first call) and deleted ones as ' +
  '`{"id", "@removed": {"reason": "deleted"}}`, then a new deltaLink. `$deltatoken=latest` ' +
  'returns just a deltaLink. Tokens expire after DELTA_RETENTION_DAYS (410 syncStateNotFound).';
export const DELTA_RESPONSE = 'A page of changes: value, and @odata.nextLink or @odata.deltaLink';
export const DELTA_EXPIRED = 'The delta token expired (syncStateNotFound): start over';
export const DELTA_TOKEN = {
  name: '$deltatoken',
  required: false,
  description: 'From an @odata.deltaLink, or `latest`.',
  schema: { type: 'string' },
};

/** `managedTenantOperations` → `ManagedTenantOperations` (controller and schema names). */
export function pascalCase(name: string): string {
  return name[0].toUpperCase() + name.slice(1);
}
