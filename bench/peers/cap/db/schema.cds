// The model of the service (src/edm/model.ts), as CDS: the same entity types, properties, types
// and lengths, for the CAP peer of `npm run bench`.
namespace mto;

type TenantException {
  tenantId  : UUID;
  exception : String(32768);
}

type AggregateResult {
  createdDateTime      : Timestamp;
  lastModifiedDateTime : Timestamp;
  isSuccess            : Boolean;
  exception            : String(32768);
  executionInfo        : String(32768);
  isComplete           : Boolean;
  tenantExceptions     : many TenantException;
  result               : many String(32768);
}

type Target {
  allTenants : Boolean;
  tenantIds  : many UUID;
}

type LambdaDefinition {
  id            : String(256);
  type          : Integer;
  value         : String(32768);
  configuration : String(32768);
}

type Definition {
  value             : String(32768);
  logLevel          : String(32) enum { none; summary; full };
  failOnFirstError  : Boolean;
  lambdaDefinitions : many LambdaDefinition;
}

type Credentials {
  dapAccessToken : String(16384);
}

entity ManagedTenantOperations {
  key id                : UUID;
  result                : AggregateResult;
  target                : Target;
  operationDefinition   : Definition;
  aggregationDefinition : Definition;
  credentials           : Credentials;
  status                : String(128) not null;
  createdDateTime       : Timestamp;
  lastModifiedDateTime  : Timestamp;
  partnerTenantId       : UUID not null;
  partnerUserId         : UUID not null;
  name                  : String(256) not null;
  description           : String(4096) not null;
  requestId             : UUID not null;
  results               : Association to many ManagedTenantOperationResults
                            on results.managedTenantOperationId = id;
}

entity ManagedTenantOperationResults {
  key id                   : UUID;
  partnerTenantId          : UUID not null;
  partnerUserId            : UUID not null;
  targetTenantId           : UUID not null;
  managedTenantOperationId : UUID not null;
  requestId                : UUID not null;
  createdDateTime          : Timestamp;
  lastModifiedDateTime     : Timestamp;
  isSuccess                : Boolean;
  exception                : String(32768);
  executionInfo            : String(32768);
  result                   : many String(32768);
}
