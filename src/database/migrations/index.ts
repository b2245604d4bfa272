import { CreateManagedTenantOperations1795900586938 } from './1795900586938-CreateManagedTenantOperations';
import { AddQueryIndexes1795901789825 } from './1795901789825-AddQueryIndexes';
import { IdempotentCreate1795902617479 } from './1795902617479-IdempotentCreate';
import { TenantStatusIndex1795905689482 } from './1795905689482-TenantStatusIndex';
import { OperationResultsAndHttpRequests1796000000000 } from './1796000000000-OperationResultsAndHttpRequests';
import { OperationRuns1797000000000 } from './1797000000000-OperationRuns';
import { ChangeFeed1798000000000 } from './1798000000000-ChangeFeed';
import { Subscriptions1799000000000 } from './1799000000000-Subscriptions';
import { RunNumbers1800000000000 } from './1800000000000-RunNumbers';
import { RunHistory1801000000000 } from './1801000000000-RunHistory';
import { Schedules1802000000000 } from './1802000000000-Schedules';
import { TenantDirectory1803000000000 } from './1803000000000-TenantDirectory';
import { RunTraceContext1804000000000 } from './1804000000000-RunTraceContext';
import { DirectoryListings1805000000000 } from './1805000000000-DirectoryListings';
import { RunCounts1806000000000 } from './1806000000000-RunCounts';

/** Every SQLite migration, oldest first. They run at start, so an older file upgrades in place. */
export const migrations = [
  CreateManagedTenantOperations1795900586938,
  AddQueryIndexes1795901789825,
  IdempotentCreate1795902617479,
  TenantStatusIndex1795905689482,
  OperationResultsAndHttpRequests1796000000000,
  OperationRuns1797000000000,
  ChangeFeed1798000000000,
  Subscriptions1799000000000,
  RunNumbers1800000000000,
  RunHistory1801000000000,
  Schedules1802000000000,
  TenantDirectory1803000000000,
  RunTraceContext1804000000000,
  DirectoryListings1805000000000,
  RunCounts1806000000000,
];

/** Every PostgreSQL migration, oldest first (src/database/migrations/postgres/). */
export { postgresMigrations } from './postgres';
