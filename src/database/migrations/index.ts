import { CreateManagedTenantOperations1795900586938 } from './1795900586938-CreateManagedTenantOperations';

/** Every migration, oldest first. They run at start, so an older database file upgrades in place. */
export const migrations = [CreateManagedTenantOperations1795900586938];
