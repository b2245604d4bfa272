import { Entity } from '../edm/entity';

/** A managed tenant operation: an entity of the model's managedTenantOperation type. */
export type ManagedTenantOperation = Entity;
