import { CreateManagedTenantOperations1795917051626 } from './1795917051626-CreateManagedTenantOperations';
import { OperationResultsAndHttpRequests1796000000001 } from './1796000000001-OperationResultsAndHttpRequests';
import { OperationRuns1797000000001 } from './1797000000001-OperationRuns';
import { ChangeFeed1798000000001 } from './1798000000001-ChangeFeed';
import { Subscriptions1799000000001 } from './1799000000001-Subscriptions';
import { RunNumbers1800000000001 } from './1800000000001-RunNumbers';
import { Schedules1802000000001 } from './1802000000001-Schedules';
import { RunHistory1801000000001 } from './1801000000001-RunHistory';
import { TenantDirectory1803000000001 } from './1803000000001-TenantDirectory';
import { RunTraceContext1804000000001 } from './1804000000001-RunTraceContext';
import { DirectoryListings1805000000001 } from './1805000000001-DirectoryListings';
import { RunCounts1806000000001 } from './1806000000001-RunCounts';

/** Every PostgreSQL migration, oldest first. They run at start, under an advisory lock. */
export const postgresMigrations = [
  CreateManagedTenantOperations1795917051626,
  OperationResultsAndHttpRequests1796000000001,
  OperationRuns1797000000001,
  ChangeFeed1798000000001,
  Subscriptions1799000000001,
  RunNumbers1800000000001,
  RunHistory1801000000001,
  Schedules1802000000001,
  TenantDirectory1803000000001,
  RunTraceContext1804000000001,
  DirectoryListings1805000000001,
  RunCounts1806000000001,
];
