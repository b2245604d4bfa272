/**
 * Every background job of the service. Each is run by exactly one handler (a provider marked
 * `@OnJob(name)`); the kernel refuses to start when one of these has none or two, so a job that
 * is declared and forgotten is found at start-up, not in production's silence.
 */
export const DECLARED_JOBS = [
  /** Runs operations: lists targets, runs tenants, sums runs up. */
  'operationRuns',
  /** Sends change notifications and expires subscriptions. */
  'changeNotifications',
  /** Forgets changes older than the delta retention period. */
  'changeFeedPurge',
  /** Starts the runs of operations' schedules when their slots come. */
  'schedules',
  /** Refreshes the partners' directories of customer tenants from their contracts. */
  'tenantDirectory',
  /** Forgets audit events older than the audit log's retention period. */
  'auditLogPurge',
  /** Copies SQLite's write-ahead log into its database file, off the event loop. */
  'walCheckpoint',
] as const;

export type JobName = (typeof DECLARED_JOBS)[number];
