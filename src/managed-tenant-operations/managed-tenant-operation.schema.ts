import { buildEntitySchema } from '../edm/entity-schema';
import { managedTenantOperation } from '../edm/model';

export const MANAGED_TENANT_OPERATIONS_TABLE = 'managed_tenant_operations';

/**
 * Indexes for the common queries. Each ends with the key, so that a sort on the leading columns is
 * total and a keyset page (`(createdDateTime, id) < (?, ?)`) seeks the index instead of scanning.
 */
/** The keyed fingerprint of the create request, to recognise its retries (idempotent create). */
export const CREATE_FINGERPRINT_COLUMN = 'createRequestFingerprint';

export const managedTenantOperationSchema = buildEntitySchema(
  managedTenantOperation,
  MANAGED_TENANT_OPERATIONS_TABLE,
  {
    indices: [
      { name: 'IDX_mto_createdDateTime', columns: ['createdDateTime', 'id'] },
      { name: 'IDX_mto_status_createdDateTime', columns: ['status', 'createdDateTime', 'id'] },
      {
        name: 'IDX_mto_partnerTenantId_createdDateTime',
        columns: ['partnerTenantId', 'createdDateTime', 'id'],
      },
      { name: 'IDX_mto_requestId', columns: ['requestId'] },
      // Every query is scoped by tenant: the common filter and order within a tenant.
      {
        name: 'IDX_mto_partnerTenantId_status_createdDateTime',
        columns: ['partnerTenantId', 'status', 'createdDateTime', 'id'],
      },
      // requestId is the client's idempotency key within a partner tenant.
      {
        name: 'UQ_mto_partnerTenantId_requestId',
        columns: ['partnerTenantId', 'requestId'],
        unique: true,
      },
    ],
    extraColumns: { [CREATE_FINGERPRINT_COLUMN]: { type: 'varchar', length: 64, nullable: true } },
  },
);
