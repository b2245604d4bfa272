import { EntitySchema, EntitySchemaIndexOptions } from 'typeorm';
import { buildEntitySchema, EntityRow } from '../database/entity-schema';
import { DialectName } from '../odata/query/sql-dialect';
import { managedTenantOperation } from '../edm/model';

export const MANAGED_TENANT_OPERATIONS_TABLE = 'managed_tenant_operations';

/**
 * Indexes for the common queries. Each ends with the key, so that a sort on the leading columns is
 * total and a keyset page (`(createdDateTime, id) < (?, ?)`) seeks the index instead of scanning.
 */
/** The keyed fingerprint of the create request, to recognise its retries (idempotent create). */
export const CREATE_FINGERPRINT_COLUMN = 'createRequestFingerprint';

/**
 * The table on either database. Repositories are found by the schema's name, so code that names
 * `managedTenantOperationSchema` works on PostgreSQL too.
 */
export function managedTenantOperationSchemaFor(dialect: DialectName): EntitySchema<EntityRow> {
  return buildEntitySchema(managedTenantOperation, MANAGED_TENANT_OPERATIONS_TABLE, dialect, {
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
      ...(dialect === 'postgres' ? POSTGRES_EXPRESSION_INDEXES : []),
    ],
    extraColumns: {
      [CREATE_FINGERPRINT_COLUMN]: {
        type: 'varchar',
        length: 64,
        nullable: true,
        ...(dialect === 'postgres' ? { collation: 'C' } : {}),
      },
    },
  });
}

/**
 * PostgreSQL indexes on JSON paths that common filters use (`result/isSuccess`, the operation's
 * log level) within a tenant, and a GIN index for containment on the target. TypeORM cannot
 * describe expression indexes, so the migration creates them and `synchronize: false` keeps
 * migration:generate from dropping them.
 */
const POSTGRES_EXPRESSION_INDEXES: EntitySchemaIndexOptions[] = [
  {
    name: 'IDX_mto_partnerTenantId_result_isSuccess',
    columns: ['partnerTenantId'],
    synchronize: false,
  },
  { name: 'IDX_mto_partnerTenantId_logLevel', columns: ['partnerTenantId'], synchronize: false },
  { name: 'IDX_mto_target', columns: ['target'], synchronize: false },
];

export const managedTenantOperationSchema = managedTenantOperationSchemaFor('sqlite');
