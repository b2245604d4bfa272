/**
 * The entity types around operations, as Microsoft 365 Lighthouse models a partner's world
 * (`tenantRelationships/managedTenants`): the directory of customer tenants, groups of them, and
 * the audit log. Part of the model (src/edm/model.ts re-exports it).
 */
import { declare, EntityType, StoredPropertiesOf } from './model-types';
import {
  LONG_TEXT,
  MANAGED_TENANTS_NAMESPACE,
  SHORT_TEXT,
  tenantContract,
  tenantStatusInformation,
} from './model-structures';

/**
 * A customer tenant of the partner, in Microsoft 365 Lighthouse's shape (`managedTenants.tenant`):
 * filled from the partner's contracts by the directory's refresh, read-only to clients but for
 * `tags` (ours). Its key is the customer's tenant id, unique within the partner's directory.
 */
const tenantProperties = declare({
  // The partner first: the table's primary key, (partnerTenantId, id), follows this order.
  partnerTenantId: { type: 'Edm.Guid', required: true, readOnly: true },
  id: {
    type: 'Edm.String',
    maxLength: 36,
    guidFormat: true,
    description: "The customer's Microsoft Entra tenant id.",
  },
  tenantId: {
    type: 'Edm.String',
    maxLength: 36,
    readOnly: true,
    description: "The customer's Microsoft Entra tenant id (as id).",
  },
  displayName: {
    type: 'Edm.String',
    maxLength: SHORT_TEXT,
    required: true,
    readOnly: true,
    searchable: true,
    description: "The customer's name, as its contract gives it.",
  },
  contract: { type: tenantContract, readOnly: true },
  tenantStatusInformation: { type: tenantStatusInformation, readOnly: true },
  tags: {
    type: 'Edm.String',
    collection: true,
    maxLength: 64,
    description:
      "The partner's own labels for the customer (an extension of the model): the only property a client changes.",
  },
  createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  lastUpdatedDateTime: {
    type: 'Edm.DateTimeOffset',
    readOnly: true,
    description: "When a refresh last changed the customer's name, contract or status.",
  },
  lastModifiedDateTime: {
    type: 'Edm.DateTimeOffset',
    computed: true,
    description: 'When anything of it last changed, tags included (its ETag).',
  },
});

export const tenant: EntityType<TenantProperties> = {
  kind: 'entity',
  namespace: MANAGED_TENANTS_NAMESPACE,
  name: 'tenant',
  key: 'id',
  openType: false,
  entitySetName: 'tenants',
  updateOnly: true,
  keyScope: 'partner',
  properties: tenantProperties,
  navigationProperties: declare({}),
};

/**
 * A group of the partner's customer tenants, in Lighthouse's shape (`managedTenants.tenantGroup`):
 * every customer (`allTenantsIncluded`), the ones named (`tenantIds`), and, ours, the ones a
 * rule selects (`membershipRule`, a `$filter` over the directory's tenants). Full CRUD.
 */
const tenantGroupProperties = declare({
  id: { type: 'Edm.String', maxLength: 36, guidFormat: true },
  partnerTenantId: { type: 'Edm.Guid', required: true, createDefault: 'callerTenant' },
  partnerUserId: { type: 'Edm.Guid', required: true, createDefault: 'callerUser' },
  requestId: { type: 'Edm.Guid', required: true, createDefault: 'newGuid' },
  displayName: { type: 'Edm.String', maxLength: SHORT_TEXT, required: true, searchable: true },
  allTenantsIncluded: {
    type: 'Edm.Boolean',
    required: true,
    createDefault: { value: false },
    description: "Every customer tenant of the partner's directory is a member.",
  },
  tenantIds: {
    type: 'Edm.Guid',
    collection: true,
    description: 'Customer tenants that are members by name (static members).',
  },
  membershipRule: {
    type: 'Edm.String',
    maxLength: 4_096,
    description:
      "Customer tenants that are members by rule (an extension of the model): an OData $filter over the directory's tenants, for example tags/any(t: t eq 'gold') and contract/contractType eq 'ResellerPartner'.",
  },
  createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  lastModifiedDateTime: { type: 'Edm.DateTimeOffset', computed: true },
});

export const tenantGroup: EntityType<TenantGroupProperties> = {
  kind: 'entity',
  namespace: MANAGED_TENANTS_NAMESPACE,
  name: 'tenantGroup',
  key: 'id',
  openType: false,
  entitySetName: 'tenantGroups',
  properties: tenantGroupProperties,
  navigationProperties: declare({}),
};

/**
 * What happened in the partner's tenant, who did it and from where, in Lighthouse's shape
 * (`managedTenants.auditEvent`): one event per write of a client to any set, per run, cancel,
 * schedule firing and refresh of the directory, written in the transaction of what it records.
 * Read-only; secrets are redacted from `requestBody`.
 */
const auditEventProperties = declare({
  id: { type: 'Edm.String', maxLength: 36, guidFormat: true },
  partnerTenantId: { type: 'Edm.Guid', required: true },
  activity: {
    type: 'Edm.String',
    maxLength: 128,
    required: true,
    searchable: true,
    description:
      'What was done: `{set}.create`, `.update`, `.replace`, `.delete`, `managedTenantOperations.run`, `.cancel`, `.scheduledRun`, `tenants.refresh`.',
  },
  activityDateTime: { type: 'Edm.DateTimeOffset', required: true },
  activityId: {
    type: 'Edm.String',
    maxLength: 128,
    description: "The request's client-request-id (or the id the service gave it).",
  },
  category: {
    type: 'Edm.String',
    maxLength: 128,
    required: true,
    description: 'The entity set the activity touched.',
  },
  httpVerb: { type: 'Edm.String', maxLength: 16 },
  initiatedByAppId: { type: 'Edm.String', maxLength: 128 },
  initiatedByUpn: { type: 'Edm.String', maxLength: SHORT_TEXT },
  initiatedByUserId: { type: 'Edm.String', maxLength: 36 },
  ipAddress: { type: 'Edm.String', maxLength: 64 },
  requestBody: {
    type: 'Edm.String',
    maxLength: LONG_TEXT,
    description: 'The body of the request, its secrets (credentials, tokens) redacted.',
  },
  requestUrl: { type: 'Edm.String', maxLength: 4_096 },
  tenantIds: {
    type: 'Edm.String',
    maxLength: LONG_TEXT,
    description: 'The customer tenants the activity concerns, comma-separated.',
  },
  tenantNames: {
    type: 'Edm.String',
    maxLength: LONG_TEXT,
    description: "Their names in the partner's directory, comma-separated.",
  },
  createdDateTime: { type: 'Edm.DateTimeOffset', computed: true },
  lastModifiedDateTime: { type: 'Edm.DateTimeOffset', computed: true },
});

export const auditEvent: EntityType<AuditEventProperties> = {
  kind: 'entity',
  namespace: MANAGED_TENANTS_NAMESPACE,
  name: 'auditEvent',
  key: 'id',
  openType: false,
  entitySetName: 'auditEvents',
  readOnly: true,
  properties: auditEventProperties,
  navigationProperties: declare({}),
};

export type TenantProperties = StoredPropertiesOf<typeof tenantProperties>;
export type TenantGroupProperties = StoredPropertiesOf<typeof tenantGroupProperties>;
export type AuditEventProperties = StoredPropertiesOf<typeof auditEventProperties>;
