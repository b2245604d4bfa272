import { EntitySchema, EntitySchemaColumnOptions, EntitySchemaIndexOptions } from 'typeorm';
import {
  EntityType,
  managedTenantOperation,
  managedTenantOperationHttpRequest,
  managedTenantOperationResult,
  managedTenantOperationRun,
  tenant,
  tenantGroup,
  auditEvent,
} from '../edm/model';
import { DialectName } from '../odata/query/sql-dialect';
import { buildEntitySchema, EntityRow } from './entity-schema';

/** The keyed fingerprint of the create request, to recognise its retries (idempotent create). */
export const CREATE_FINGERPRINT_COLUMN = 'createRequestFingerprint';

/**
 * A column the service derives from an entity's properties on every write, for its own queries
 * (bookkeeping, never returned): written with the row, so it never disagrees with it.
 */
export interface DerivedColumn {
  readonly options: (dialect: DialectName) => EntitySchemaColumnOptions;
  readonly valueOf: (properties: Readonly<Record<string, unknown>>) => unknown;
}

/** Where an entity type's rows live, and the indexes its queries need beyond the model. */
export interface EntityTable {
  readonly entity: EntityType;
  readonly tableName: string;
  readonly indices: (dialect: DialectName) => EntitySchemaIndexOptions[];
  readonly derivedColumns?: Readonly<Record<string, DerivedColumn>>;
}

/**
 * When an operation's schedule is due next: its next slot, unless it is paused (the scheduler
 * finds due schedules through this column's index).
 */
export const SCHEDULE_DUE_COLUMN = 'scheduleDueAt';

/**
 * Indexes for the common queries. Each ends with the key, so that a sort on the leading columns is
 * total and a keyset page (`(createdDateTime, id) < (?, ?)`) seeks the index instead of scanning.
 * Every query is scoped by tenant, so most start with partnerTenantId.
 */
const operationsTable: EntityTable = {
  entity: managedTenantOperation,
  tableName: 'managed_tenant_operations',
  indices: (dialect) => [
    { name: 'IDX_mto_createdDateTime', columns: ['createdDateTime', 'id'] },
    { name: 'IDX_mto_status_createdDateTime', columns: ['status', 'createdDateTime', 'id'] },
    {
      name: 'IDX_mto_partnerTenantId_createdDateTime',
      columns: ['partnerTenantId', 'createdDateTime', 'id'],
    },
    { name: 'IDX_mto_requestId', columns: ['requestId'] },
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
    // What the results and HTTP requests refer to: an operation of their own tenant.
    { name: 'UQ_mto_partnerTenantId_id', columns: ['partnerTenantId', 'id'], unique: true },
    // The schedules due next, across tenants (few operations have one).
    {
      name: 'IDX_mto_scheduleDueAt',
      columns: [SCHEDULE_DUE_COLUMN, 'partnerTenantId', 'id'],
      where: `"${SCHEDULE_DUE_COLUMN}" IS NOT NULL`,
    },
    ...(dialect === 'postgres' ? POSTGRES_EXPRESSION_INDEXES : []),
  ],
  derivedColumns: {
    [SCHEDULE_DUE_COLUMN]: {
      options: (dialect) => ({
        type: 'varchar',
        length: 24,
        nullable: true,
        ...(dialect === 'postgres' ? { collation: 'C' } : {}),
      }),
      valueOf: (properties) => {
        const schedule = properties.schedule as
          { isPaused?: boolean | null; nextRunDateTime?: string | null } | null | undefined;
        return schedule && schedule.isPaused !== true ? (schedule.nextRunDateTime ?? null) : null;
      },
    },
  },
};

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

/**
 * The indexes of a set whose rows belong to an operation: a tenant's rows newest first, an
 * operation's rows (its navigation and `$expand`, and the cascade), and the idempotency key of
 * the rows clients create. Rows the service writes while it runs an operation carry the
 * operation's requestId and no fingerprint, so only rows with a fingerprint must be unique.
 */
function operationRecordIndices(prefix: string): EntitySchemaIndexOptions[] {
  return [
    {
      name: `IDX_${prefix}_partnerTenantId_createdDateTime`,
      columns: ['partnerTenantId', 'createdDateTime', 'id'],
    },
    {
      name: `IDX_${prefix}_operation_createdDateTime`,
      columns: ['partnerTenantId', 'managedTenantOperationId', 'createdDateTime', 'id'],
    },
    // A run's rows (the run's navigations, and the history's bound deleting a run's rows).
    {
      name: `IDX_${prefix}_operation_run_createdDateTime`,
      columns: [
        'partnerTenantId',
        'managedTenantOperationId',
        'runNumber',
        'createdDateTime',
        'id',
      ],
    },
    {
      name: `UQ_${prefix}_partnerTenantId_requestId`,
      columns: ['partnerTenantId', 'requestId'],
      unique: true,
      where: `"${CREATE_FINGERPRINT_COLUMN}" IS NOT NULL`,
    },
  ];
}

const resultsTable: EntityTable = {
  entity: managedTenantOperationResult,
  tableName: 'managed_tenant_operation_results',
  indices: () => [
    ...operationRecordIndices('mtor'),
    // A tenant's results across the runs of an operation (comparing two runs, tenant by tenant).
    {
      name: 'IDX_mtor_operation_tenant_run',
      columns: ['partnerTenantId', 'managedTenantOperationId', 'targetTenantId', 'runNumber'],
    },
  ],
};

const httpRequestsTable: EntityTable = {
  entity: managedTenantOperationHttpRequest,
  tableName: 'managed_tenant_operation_http_requests',
  indices: () => operationRecordIndices('mtoh'),
};

/**
 * The runs of each operation: keyed by tenant, operation and run number (a run number is unique
 * within its operation), which is also the order of the history, newest first.
 */
const runsTable: EntityTable = {
  entity: managedTenantOperationRun,
  tableName: 'managed_tenant_operation_runs',
  indices: () => [
    {
      name: 'IDX_mtorun_operation_createdDateTime',
      columns: ['partnerTenantId', 'managedTenantOperationId', 'createdDateTime', 'runNumber'],
    },
  ],
};

/**
 * The partners' directories of customer tenants: keyed by partner and customer, which is also
 * the order of a partner's tenants by id; by name, the order people read them in.
 */
const tenantsTable: EntityTable = {
  entity: tenant,
  tableName: 'tenants',
  indices: () => [
    {
      name: 'IDX_tenants_partnerTenantId_displayName',
      columns: ['partnerTenantId', 'displayName', 'id'],
    },
    {
      name: 'IDX_tenants_partnerTenantId_createdDateTime',
      columns: ['partnerTenantId', 'createdDateTime', 'id'],
    },
  ],
};

/** The partners' groups of customer tenants: a partner's groups, and its idempotency keys. */
const tenantGroupsTable: EntityTable = {
  entity: tenantGroup,
  tableName: 'tenant_groups',
  indices: () => [
    {
      name: 'IDX_tenant_groups_partnerTenantId_createdDateTime',
      columns: ['partnerTenantId', 'createdDateTime', 'id'],
    },
    {
      name: 'UQ_tenant_groups_partnerTenantId_requestId',
      columns: ['partnerTenantId', 'requestId'],
      unique: true,
    },
    // What the targets of operations refer to: a group of their own tenant.
    {
      name: 'UQ_tenant_groups_partnerTenantId_id',
      columns: ['partnerTenantId', 'id'],
      unique: true,
    },
  ],
};

/** The partners' audit logs: a partner's events newest first; the purge of old ones by age. */
const auditEventsTable: EntityTable = {
  entity: auditEvent,
  tableName: 'audit_events',
  indices: () => [
    {
      name: 'IDX_audit_events_partnerTenantId_createdDateTime',
      columns: ['partnerTenantId', 'createdDateTime', 'id'],
    },
    { name: 'IDX_audit_events_createdDateTime', columns: ['createdDateTime'] },
  ],
};

/** Every table, in the order of the model's entity types (parents before their dependents). */
export const ENTITY_TABLES: readonly EntityTable[] = [
  operationsTable,
  resultsTable,
  httpRequestsTable,
  runsTable,
  tenantsTable,
  tenantGroupsTable,
  auditEventsTable,
];

export function tableOf(entity: EntityType): EntityTable {
  const table = ENTITY_TABLES.find((candidate) => candidate.entity === entity);
  if (!table) throw new Error(`The entity type ${entity.name} has no table.`);
  return table;
}

const schemas = new Map<string, EntitySchema<EntityRow>>();

/**
 * The TypeORM entity schema of an entity type on a database. Repositories are found by the
 * schema's name (the entity type's), so code that names one works on either database.
 */
export function entitySchemaFor(entity: EntityType, dialect: DialectName): EntitySchema<EntityRow> {
  const cacheKey = `${dialect}:${entity.name}`;
  let schema = schemas.get(cacheKey);
  if (!schema) {
    const table = tableOf(entity);
    schema = buildEntitySchema(entity, table.tableName, dialect, {
      indices: table.indices(dialect),
      // What clients create is recognised when they retry it; what only the service writes is not.
      extraColumns: {
        ...(entity.readOnly || entity.updateOnly
          ? {}
          : {
              [CREATE_FINGERPRINT_COLUMN]: {
                type: 'varchar',
                length: 64,
                nullable: true,
                ...(dialect === 'postgres' ? { collation: 'C' } : {}),
              },
            }),
        ...Object.fromEntries(
          Object.entries(table.derivedColumns ?? {}).map(([name, derived]) => [
            name,
            derived.options(dialect),
          ]),
        ),
      },
    });
    schemas.set(cacheKey, schema);
  }
  return schema;
}

/** The schemas of every table on a database, for the data source. */
export function entitySchemas(dialect: DialectName): EntitySchema<EntityRow>[] {
  return ENTITY_TABLES.map((table) => entitySchemaFor(table.entity, dialect));
}
