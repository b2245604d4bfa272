import { DataSource } from 'typeorm';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { ENTITY_TYPES, EntityType } from '../../edm/model';
import { CollectionRequestReader } from '../../odata/query/collection-request';
import { QueryChecker } from '../../odata/query/query-checker';
import { SkipTokenCodec } from '../../odata/query/skip-token';
import { dialectNamed, DialectName } from '../../odata/query/sql-dialect';
import { DYNAMIC_PROPERTIES_COLUMN } from '../entity-schema';
import { entitySchemaFor, entitySchemas } from '../entity-tables';
import { SerialWriter } from '../serial-writer';
import { TransactionContext } from '../transaction-context';
import { PostgresExecutor } from '../postgres-executor';
import { SqliteExecutor } from '../sqlite-executor';
import { SqlEntityStore } from './sql-entity.store';
import { keyColumnsOf } from './entity-key-statements';
import { readProjectionOf } from '../../entity-sets/read-projection';

const TENANT = { tenantId: '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d' };

/**
 * The SQL each store runs for representative reads of every entity set, on both databases,
 * committed as snapshots so that a change to the SQL shows in review. No database is needed:
 * the PostgreSQL data source is built but never connected.
 */
describe.each<DialectName>(['sqlite', 'postgres'])('the %s store', (dialect) => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = new DataSource(
      dialect === 'sqlite'
        ? { type: 'better-sqlite3', database: ':memory:', entities: entitySchemas('sqlite') }
        : { type: 'postgres', entities: entitySchemas('postgres') },
    );
    // Metadata only: what a QueryBuilder needs to write SQL.
    await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  });

  const storeOf = (entity: EntityType): SqlEntityStore => {
    const transactions = new TransactionContext();
    const schema = entitySchemaFor(entity, dialect);
    return new SqlEntityStore(
      entity,
      schema,
      dataSource.getRepository(schema),
      new CredentialsCipher(Buffer.alloc(32, 1)),
      transactions,
      dialectNamed(dialect),
      dialect === 'postgres'
        ? new PostgresExecutor(dataSource, transactions)
        : new SqliteExecutor(dataSource, new SerialWriter(transactions), transactions),
    );
  };
  const readerOf = (entity: EntityType) =>
    new CollectionRequestReader(
      new QueryChecker({ entity, dynamicColumn: DYNAMIC_PROPERTIES_COLUMN }),
      new SkipTokenCodec(Buffer.alloc(32, 2)),
    );

  const queries: Record<string, string[]> = {
    managedTenantOperation: [
      '',
      "$filter=status eq 'running'&$orderby=name desc",
      '$filter=results/any(r: r/isSuccess eq false)',
      '$filter=httpRequests/all(h: h/statusCode lt 400) and results/any()&$search=baseline',
    ],
    managedTenantOperationResult: [
      '',
      "$filter=isSuccess eq false and managedTenantOperationId eq 'x'&$orderby=targetTenantId",
      "$filter=result/any(row: contains(row, 'admin'))&$search=timeout",
      "$filter=tenant/displayName eq 'Contoso'&$orderby=tenant/displayName desc",
    ],
    managedTenantOperationHttpRequest: [
      '',
      "$filter=statusCode ge 400 and request/method eq 'GET'&$orderby=attempt desc",
    ],
    tenantGroup: ['$filter=tenantIds/any(t: t eq 2d9a4c71-8f3e-4b6a-9c5d-1e7f0a2b3c4d)'],
    auditEvent: ["$filter=activity eq 'tenants.refresh'&$orderby=activityDateTime desc"],
    tenant: [
      '$orderby=displayName',
      "$filter=tags/any(t: t eq 'gold') and contract/contractType eq 'ResellerPartner'",
    ],
  };

  describe.each(ENTITY_TYPES.map((entity) => [entity.entitySetName, entity] as const))(
    '%s',
    (_name, entity) => {
      it('reads, inserts, updates and deletes by key with the same statements', () => {
        const statements = storeOf(entity).statementsByKey;
        expect({
          ...statements,
          insertRows: statements.insertRows(2),
          // A projection's read: some columns, the same parameters.
          selectColumnsById: statements.selectColumnsById([
            ...keyColumnsOf(entity),
            'lastModifiedDateTime',
          ]),
        }).toMatchSnapshot();
      });

      it('updates a row without setting its key or tenant (a parent key set makes SQLite check its children)', () => {
        const set = storeOf(entity).statementsByKey.update.split(' WHERE ')[0];
        for (const column of [...keyColumnsOf(entity), 'partnerTenantId']) {
          expect(set).not.toContain(`"${column}" = ?`);
        }
      });

      it.each(queries[entity.name])('pages for ?%s', (query) => {
        const request = readerOf(entity).read(query, TENANT.tenantId);
        expect(
          storeOf(entity).describePage(TENANT, request.query, undefined, 101),
        ).toMatchSnapshot();
      });

      it('pages a $select with the columns it selects, those every read needs and its sort keys', () => {
        const request = readerOf(entity).read(
          `$select=lastModifiedDateTime&$orderby=createdDateTime desc`,
          TENANT.tenantId,
        );
        const projection = readProjectionOf(entity, {
          select: request.query.select,
          expand: request.expand,
        });
        const [sql] = storeOf(entity).describePage(
          TENANT,
          { ...request.query, projection },
          undefined,
          101,
        );
        const selected = sql.slice(0, sql.indexOf(' FROM '));
        const unselected = Object.keys(entity.properties).filter(
          (name) =>
            !entity.properties[name].computed &&
            ![...keyColumnsOf(entity), 'partnerTenantId'].includes(name),
        );
        for (const column of unselected) expect(selected).not.toContain(`"${column}"`);
        expect(selected).toContain('"createdDateTime"');
        expect(sql).toMatchSnapshot();
      });

      if ('managedTenantOperationId' in entity.properties) {
        it('pages through a navigation', () => {
          const request = readerOf(entity).read('$orderby=createdDateTime', TENANT.tenantId);
          const after = ['2026-01-01T00:00:00.000Z', 'b7e3c1a2-0000-4000-8000-000000000000'];
          expect(
            storeOf(entity).describePage(TENANT, request.query, after, 51, {
              managedTenantOperationId: 'a1b2c3d4-0000-4000-8000-000000000000',
            }),
          ).toMatchSnapshot();
        });
      }
    },
  );
});
