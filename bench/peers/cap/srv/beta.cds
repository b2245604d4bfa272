using { mto } from '../db/schema';

// The service's entity sets at the same path. (CAP returns the write-only credentials too: it
// has no such annotation; that is more work for CAP, not less.)
@path: '/beta'
service Beta {
  entity managedTenantOperations       as projection on mto.ManagedTenantOperations;
  entity managedTenantOperationResults as projection on mto.ManagedTenantOperationResults;
}
