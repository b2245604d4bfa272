import { CreateManagedTenantOperations1795917051626 } from './1795917051626-CreateManagedTenantOperations';

/** Every PostgreSQL migration, oldest first. They run at start, under an advisory lock. */
export const postgresMigrations = [CreateManagedTenantOperations1795917051626];
