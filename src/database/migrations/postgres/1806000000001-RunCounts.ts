import { RunCounts1806000000000 } from '../1806000000000-RunCounts';

/** A run's counts, as on SQLite (../1806000000000-RunCounts.ts): the same types as its run's. */
export class RunCounts1806000000001 extends RunCounts1806000000000 {
  override name = 'RunCounts1806000000001';
}
