import { managedTenantOperation, managedTenantOperationResult, EntityType } from '../edm/model';
import { DYNAMIC_PROPERTIES_COLUMN } from '../database/entity-schema';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { QueryChecker } from '../odata/query/query-checker';
import { SkipTokenCodec } from '../odata/query/skip-token';
import { readProjectionOf } from './read-projection';

/** The options of a read by key, as the entity-set controllers check them. */
function optionsOf(entity: EntityType, query: string) {
  return new CollectionRequestReader(
    new QueryChecker({ entity, dynamicColumn: DYNAMIC_PROPERTIES_COLUMN }),
    new SkipTokenCodec(Buffer.alloc(32, 2)),
  ).readEntity(query);
}

describe('readProjectionOf', () => {
  it('reads everything without $select, and with $select=*', () => {
    expect(readProjectionOf(managedTenantOperation, optionsOf(managedTenantOperation, ''))).toBe(
      undefined,
    );
    expect(
      readProjectionOf(managedTenantOperation, optionsOf(managedTenantOperation, '$select=*')),
    ).toBe(undefined);
  });

  it('reads the selected properties, once each, and a complex one whole for a member of it', () => {
    const options = optionsOf(
      managedTenantOperation,
      '$select=status,result/isComplete,result/executionInfo,name',
    );
    expect(readProjectionOf(managedTenantOperation, options)).toEqual({
      properties: ['status', 'result', 'name'],
      dynamicProperties: false,
    });
  });

  it("reads the open type's dynamic properties when a name the model does not declare is selected", () => {
    const options = optionsOf(managedTenantOperation, '$select=status,color');
    expect(readProjectionOf(managedTenantOperation, options)).toEqual({
      properties: ['status'],
      dynamicProperties: true,
    });
  });

  it('reads the foreign key of a to-one navigation that $expand follows, not that of a to-many one', () => {
    const result = optionsOf(managedTenantOperationResult, '$select=isSuccess&$expand=tenant');
    expect(readProjectionOf(managedTenantOperationResult, result)).toEqual({
      properties: ['isSuccess', 'targetTenantId'],
      dynamicProperties: false,
    });
    const operation = optionsOf(managedTenantOperation, '$select=status&$expand=results');
    expect(readProjectionOf(managedTenantOperation, operation)).toEqual({
      properties: ['status'],
      dynamicProperties: false,
    });
  });
});
