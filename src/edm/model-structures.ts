/**
 * The complex and enum types of the model (src/edm/model.ts), and the namespaces and string
 * lengths they and the entity types share: the structured values an entity's properties hold.
 * Sources: the seed page and shared/docs/MODEL.md (complex types).
 */
import { ComplexType, declare, EnumType } from './model-types';

export const GRAPH_NAMESPACE = 'microsoft.graph';
/** The seed's example names the entity type in this namespace (MODEL.md, "@odata.type as the seed shows it"). */
export const ENTITY_NAMESPACE = 'microsoft.management.services.api';

// Maximum string lengths. Generous enough for real payloads (exception texts, serialized
// lambda configurations, access tokens), small enough that one row stays well under the 1 MiB body limit.
export const SHORT_TEXT = 256;
export const LONG_TEXT = 32_768;

export const logLevel = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'logLevel',
  members: ['none', 'summary', 'full'],
} as const satisfies EnumType;

export const tenantException = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'tenantException',
  properties: declare({
    tenantId: { type: 'Edm.Guid' },
    exception: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationAggregateResult = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationAggregateResult',
  properties: declare({
    createdDateTime: { type: 'Edm.DateTimeOffset' },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset' },
    isSuccess: { type: 'Edm.Boolean' },
    exception: { type: 'Edm.String', maxLength: LONG_TEXT },
    executionInfo: { type: 'Edm.String', maxLength: LONG_TEXT },
    isComplete: { type: 'Edm.Boolean' },
    tenantExceptions: { type: tenantException, collection: true },
    result: { type: 'Edm.String', collection: true, maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationTarget = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationTarget',
  properties: declare({
    allTenants: { type: 'Edm.Boolean' },
    tenantIds: { type: 'Edm.Guid', collection: true },
    tenantGroupIds: {
      type: 'Edm.Guid',
      collection: true,
      description:
        'Groups of customer tenants (tenantGroups) whose members the run takes too, worked out when it starts (an extension of the model).',
    },
    excludedTenantIds: {
      type: 'Edm.Guid',
      collection: true,
      description:
        'Tenants a run never takes, whatever else names them (an extension of the model).',
    },
  }),
} as const satisfies ComplexType;

export const lambdaDefinition = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'lambdaDefinition',
  properties: declare({
    id: { type: 'Edm.String', maxLength: SHORT_TEXT },
    type: { type: 'Edm.Int32' },
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
    configuration: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationDefinition = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationDefinition',
  properties: declare({
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
    logLevel: { type: logLevel },
    failOnFirstError: { type: 'Edm.Boolean' },
    lambdaDefinitions: { type: lambdaDefinition, collection: true },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationCredentials = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationCredentials',
  properties: declare({
    dapAccessToken: { type: 'Edm.String', maxLength: 16_384, secret: true },
    refreshToken: {
      type: 'Edm.String',
      maxLength: 16_384,
      secret: true,
      description:
        "A delegated refresh token of the partner's user (write-only): the engine gets each tenant's token with it, for runs beyond a dapAccessToken's hour, and keeps the new one the token endpoint gives.",
    },
  }),
} as const satisfies ComplexType;

export const httpHeader = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'httpHeader',
  properties: declare({
    name: { type: 'Edm.String', maxLength: SHORT_TEXT },
    value: { type: 'Edm.String', maxLength: LONG_TEXT },
  }),
} as const satisfies ComplexType;

export const httpRequest = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'httpRequest',
  properties: declare({
    method: { type: 'Edm.String', maxLength: 16 },
    url: { type: 'Edm.String', maxLength: 8_192 },
    body: { type: 'Edm.String', maxLength: LONG_TEXT },
    headers: { type: httpHeader, collection: true },
  }),
} as const satisfies ComplexType;

export const httpResponse = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'httpResponse',
  properties: declare({
    status: { type: 'Edm.Int32' },
    body: { type: 'Edm.String', maxLength: LONG_TEXT },
    headers: { type: httpHeader, collection: true },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationRunTrigger = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRunTrigger',
  members: ['manual', 'schedule', 'catchUp'],
} as const satisfies EnumType;

export const managedTenantOperationRunTenantScope = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRunTenantScope',
  members: ['allTargets', 'notSucceeded'],
} as const satisfies EnumType;

export const managedTenantOperationRunStatus = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRunStatus',
  members: ['running', 'succeeded', 'failed', 'cancelled', 'skipped'],
} as const satisfies EnumType;

export const managedTenantOperationRunDifferenceType = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRunDifferenceType',
  members: ['added', 'removed', 'changed', 'tenantAdded', 'tenantRemoved', 'outcomeChanged'],
} as const satisfies EnumType;

/** One difference between two runs of an operation, as `compareRuns` returns it. */
export const managedTenantOperationRunDifference = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRunDifference',
  properties: declare({
    targetTenantId: { type: 'Edm.Guid', required: true },
    tenantDisplayName: {
      type: 'Edm.String',
      maxLength: SHORT_TEXT,
      description: "The tenant's name in the partner's directory of tenants (null if it has none).",
    },
    changeType: { type: managedTenantOperationRunDifferenceType, required: true },
    rowKey: {
      type: 'Edm.String',
      maxLength: LONG_TEXT,
      description: "The row's id, when its rows have one.",
    },
    row: { type: 'Edm.String', maxLength: LONG_TEXT, description: 'The row in the later run.' },
    baseRow: { type: 'Edm.String', maxLength: LONG_TEXT, description: 'The row in the base run.' },
    isSuccess: { type: 'Edm.Boolean' },
    baseIsSuccess: { type: 'Edm.Boolean' },
  }),
} as const satisfies ComplexType;

// Microsoft Graph's recurrence types, exactly as its calendar API defines them
// (patternedRecurrence, recurrencePattern, recurrenceRange), for an operation's schedule.

export const recurrencePatternType = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'recurrencePatternType',
  members: [
    'daily',
    'weekly',
    'absoluteMonthly',
    'relativeMonthly',
    'absoluteYearly',
    'relativeYearly',
  ],
} as const satisfies EnumType;

export const dayOfWeek = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'dayOfWeek',
  members: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
} as const satisfies EnumType;

export const weekIndex = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'weekIndex',
  members: ['first', 'second', 'third', 'fourth', 'last'],
} as const satisfies EnumType;

export const recurrenceRangeType = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'recurrenceRangeType',
  members: ['endDate', 'noEnd', 'numbered'],
} as const satisfies EnumType;

export const recurrencePattern = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'recurrencePattern',
  properties: declare({
    type: { type: recurrencePatternType },
    interval: { type: 'Edm.Int32' },
    month: { type: 'Edm.Int32' },
    dayOfMonth: { type: 'Edm.Int32' },
    daysOfWeek: { type: dayOfWeek, collection: true },
    firstDayOfWeek: { type: dayOfWeek },
    index: { type: weekIndex },
  }),
} as const satisfies ComplexType;

export const recurrenceRange = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'recurrenceRange',
  properties: declare({
    type: { type: recurrenceRangeType },
    startDate: { type: 'Edm.Date' },
    endDate: { type: 'Edm.Date' },
    recurrenceTimeZone: {
      type: 'Edm.String',
      maxLength: 64,
      description: 'An IANA time zone name (Europe/Berlin); UTC when left out.',
    },
    numberOfOccurrences: { type: 'Edm.Int32' },
  }),
} as const satisfies ComplexType;

export const patternedRecurrence = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'patternedRecurrence',
  properties: declare({
    pattern: { type: recurrencePattern },
    range: { type: recurrenceRange },
  }),
} as const satisfies ComplexType;

export const managedTenantOperationScheduleOverlapPolicy = {
  kind: 'enum',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationScheduleOverlapPolicy',
  members: ['skip', 'bufferOne', 'cancelOther'],
} as const satisfies EnumType;

/** When an operation runs by itself (an extension of the model: the live service has none). */
export const managedTenantOperationSchedule = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationSchedule',
  properties: declare({
    recurrence: {
      type: patternedRecurrence,
      description: "The days it runs on, as Microsoft Graph's calendar recurrence says them.",
    },
    timeOfDay: {
      type: 'Edm.TimeOfDay',
      description: "The time it runs at on those days, in the recurrence's time zone.",
    },
    isPaused: { type: 'Edm.Boolean', description: 'No run starts while it is true.' },
    overlapPolicy: {
      type: managedTenantOperationScheduleOverlapPolicy,
      description:
        'What a slot does while the previous run still goes: skip (default: a skipped run is recorded), bufferOne (one run starts when the previous ends) or cancelOther (the running one is cancelled).',
    },
    catchUpWindow: {
      type: 'Edm.Duration',
      description:
        'How late a slot missed while no instance was up may still run (default PT1H); older ones are skipped.',
    },
    pauseOnFailure: {
      type: 'Edm.Boolean',
      description: 'Pause the schedule (isPaused) when a scheduled run fails.',
    },
    nextRunDateTime: {
      type: 'Edm.DateTimeOffset',
      computed: true,
      description: 'The slot that runs next (null when paused or when the recurrence has ended).',
    },
    upcomingRunDateTimes: {
      type: 'Edm.DateTimeOffset',
      collection: true,
      computed: true,
      description: 'The next five slots.',
    },
    lastRunDateTime: {
      type: 'Edm.DateTimeOffset',
      computed: true,
      description: 'The slot of the last scheduled run (a skipped one included).',
    },
  }),
} as const satisfies ComplexType;

/** Microsoft 365 Lighthouse's namespace (`tenantRelationships/managedTenants`). */
export const MANAGED_TENANTS_NAMESPACE = 'microsoft.graph.managedTenants';

/** Lighthouse's `delegatedPrivilegeStatus`, its members as Lighthouse spells them. */
export const delegatedPrivilegeStatus = {
  kind: 'enum',
  namespace: MANAGED_TENANTS_NAMESPACE,
  name: 'delegatedPrivilegeStatus',
  members: [
    'none',
    'delegatedAdminPrivileges',
    'unknownFutureValue',
    'granularDelegatedAdminPrivileges',
    'delegatedAndGranularDelegetedAdminPrivileges',
  ],
} as const satisfies EnumType;

/** A customer's contract with the partner, as `GET /v1.0/contracts` gives it. */
export const tenantContract = {
  kind: 'complex',
  namespace: MANAGED_TENANTS_NAMESPACE,
  name: 'tenantContract',
  properties: declare({
    contractType: {
      type: 'Edm.String',
      maxLength: 64,
      description:
        "The contract's type as Microsoft Graph's contracts give it: ResellerPartner, SyndicationPartner, BreadthPartner, …",
    },
    defaultDomainName: { type: 'Edm.String', maxLength: SHORT_TEXT },
    displayName: { type: 'Edm.String', maxLength: SHORT_TEXT },
  }),
} as const satisfies ComplexType;

/** Whether the partner still manages the customer, as far as its contracts say. */
export const tenantStatusInformation = {
  kind: 'complex',
  namespace: MANAGED_TENANTS_NAMESPACE,
  name: 'tenantStatusInformation',
  properties: declare({
    delegatedPrivilegeStatus: {
      type: delegatedPrivilegeStatus,
      description:
        'delegatedAdminPrivileges while the partner’s contracts list the customer; none once they no longer do.',
    },
    lastDelegatedPrivilegeRefreshDateTime: {
      type: 'Edm.DateTimeOffset',
      description: 'When a refresh of the directory last set delegatedPrivilegeStatus.',
    },
    offboardedDateTime: {
      type: 'Edm.DateTimeOffset',
      description:
        'When a refresh no longer found the customer in the contracts (null while it does).',
    },
  }),
} as const satisfies ComplexType;

/**
 * One row of a run, as `rows` returns them: the tenant it came from and the run, then the row's
 * own properties as Graph gave them (an open type).
 */
export const managedTenantOperationRow = {
  kind: 'complex',
  namespace: GRAPH_NAMESPACE,
  name: 'managedTenantOperationRow',
  openType: true,
  properties: declare({
    _TenantId: { type: 'Edm.Guid', required: true },
    _TenantDisplayName: {
      type: 'Edm.String',
      maxLength: SHORT_TEXT,
      description: "The tenant's name in the partner's directory of tenants (null if it has none).",
    },
    _RunNumber: { type: 'Edm.Int32', required: true },
  }),
} as const satisfies ComplexType;
