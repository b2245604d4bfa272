import { buildEntitySchema } from '../edm/entity-schema';
import { managedTenantOperation } from '../edm/model';

export const MANAGED_TENANT_OPERATIONS_TABLE = 'managed_tenant_operations';

/**
 * Indexes for the common queries. Each ends with the key, so that a sort on the leading columns is
 * total and a keyset page (`(createdDateTime, id) < (?, ?)`) seeks the index instead of scanning.
 */
export const managedTenantOperationSchema = buildEntitySchema(
  managedTenantOperation,
  MANAGED_TENANT_OPERATIONS_TABLE,
  [
    { name: 'IDX_mto_createdDateTime', columns: ['createdDateTime', 'id'] },
    { name: 'IDX_mto_status_createdDateTime', columns: ['status', 'createdDateTime', 'id'] },
    {
      name: 'IDX_mto_partnerTenantId_createdDateTime',
      columns: ['partnerTenantId', 'createdDateTime', 'id'],
    },
    { name: 'IDX_mto_requestId', columns: ['requestId'] },
  ],
);
