import { ManagedTenantOperation } from './managed-tenant-operation';

/**
 * The weak ETag of an operation. lastModifiedDateTime advances strictly on every update, so the
 * tag changes with every change, and differs for a new entity created with the id of a deleted one.
 */
export function entityTagOf(
  operation: Pick<ManagedTenantOperation, 'lastModifiedDateTime'>,
): string {
  return `W/"${Buffer.from(operation.lastModifiedDateTime, 'utf8').toString('base64url')}"`;
}
