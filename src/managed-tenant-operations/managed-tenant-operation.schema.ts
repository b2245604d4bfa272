import { buildEntitySchema } from '../edm/entity-schema';
import { managedTenantOperation } from '../edm/model';

export const MANAGED_TENANT_OPERATIONS_TABLE = 'managed_tenant_operations';

export const managedTenantOperationSchema = buildEntitySchema(
  managedTenantOperation,
  MANAGED_TENANT_OPERATIONS_TABLE,
);
