import { Completion, RunKey, TenantTask } from './run-queue.records';

/** What a run counts, in the order `addCounts` (run-queue-sql.ts) binds them. */
export const COUNT_COLUMNS = [
  'tenants',
  'succeeded',
  'failed',
  'skipped',
  'calls',
  'retries',
] as const;

/** Counts to add to a run's, by column (a column left out adds nothing). */
export type RunCountDeltas = Partial<Record<(typeof COUNT_COLUMNS)[number], number>>;

/** The writer of a run's counts that counts the tenants added to it (workers count by owner id). */
export const TENANTS_WRITER = '';

type RunOfCounts = RunKey & { readonly run: number };

/** The values of `addCounts`: what `writer` adds to the counts of `run`. */
export function countDeltaValues(
  run: RunOfCounts,
  writer: string,
  deltas: RunCountDeltas,
): unknown[] {
  return [
    run.partnerTenantId,
    run.operationId,
    run.run,
    writer,
    ...COUNT_COLUMNS.map((column) => deltas[column] ?? 0),
  ];
}

/** What a batch of completed tenants adds to the counts of each of their runs. */
export class CompletionTally {
  private readonly runs = new Map<string, { run: RunOfCounts; deltas: RunCountDeltas }>();

  add(task: TenantTask, completion: Completion): void {
    const key = `${task.partnerTenantId}/${task.operationId}/${task.run}`;
    let counted = this.runs.get(key);
    if (!counted) {
      counted = { run: task, deltas: {} };
      this.runs.set(key, counted);
    }
    const { deltas } = counted;
    deltas[completion.outcome] = (deltas[completion.outcome] ?? 0) + 1;
    deltas.calls = (deltas.calls ?? 0) + completion.calls;
    deltas.retries = (deltas.retries ?? 0) + completion.retries;
  }

  /** The values of `addCounts` for each run, as `writer` adds to them. */
  valuesBy(writer: string): unknown[][] {
    return [...this.runs.values()].map(({ run, deltas }) => countDeltaValues(run, writer, deltas));
  }
}
