/**
 * The seed page's example request, with its placeholder values ("String", "Guid") replaced by valid
 * ones. Shown as the request example in Swagger UI and used by the tests.
 */
export const seedExampleRequest = {
  '@odata.type': '#microsoft.management.services.api.managedTenantOperation',
  result: { '@odata.type': 'microsoft.graph.managedTenantOperationAggregateResult' },
  target: { '@odata.type': 'microsoft.graph.managedTenantOperationTarget' },
  operationDefinition: { '@odata.type': 'microsoft.graph.managedTenantOperationDefinition' },
  aggregationDefinition: { '@odata.type': 'microsoft.graph.managedTenantOperationDefinition' },
  credentials: { '@odata.type': 'microsoft.graph.managedTenantOperationCredentials' },
  status: 'running',
  partnerTenantId: '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d',
  partnerUserId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  name: 'Apply baseline policies',
  description: 'Applies the security baseline to every managed tenant.',
  requestId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
};

/**
 * The smallest operation that runs: what a caller types, the rest filled in by the service (the
 * partner tenant and user from the token, a requestId, status, description, result and
 * aggregation). The Graph simulator answers it; so does Microsoft Graph with a real token.
 */
export const runnableExampleRequest = {
  '@odata.type': '#microsoft.management.services.api.managedTenantOperation',
  name: 'List the users of every customer',
  target: { allTenants: true },
  operationDefinition: { value: 'GET /v1.0/users?$select=displayName,userPrincipalName' },
  credentials: { dapAccessToken: 'paste-a-delegated-admin-access-token-here' },
};
