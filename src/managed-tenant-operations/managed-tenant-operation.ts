import { Entity } from '../edm/entity';
import { ManagedTenantOperationProperties } from '../edm/model';

/** A managed tenant operation, its properties typed from the model. */
export type ManagedTenantOperation = Entity<ManagedTenantOperationProperties>;
