/** A tenant's result row, as the "Tenants" table shows it. */

export interface TenantFigures {
  readonly rows?: number;
  readonly duration?: string;
}

/** Rows and time from a tenant's execution info ("1 request, 4 calls (1 retried), 40 rows, 0.3 s"). */
export function tenantFigures(executionInfo: string | null | undefined): TenantFigures {
  const text = executionInfo ?? '';
  const rows = /(\d[\d,]*) rows?\b/.exec(text);
  const seconds = /(\d+(?:\.\d+)?) s\.?$/.exec(text.trim());
  return {
    ...(rows && { rows: Number(rows[1].replace(/,/g, '')) }),
    ...(seconds && { duration: `${seconds[1]} s` }),
  };
}

export type Outcome = 'succeeded' | 'failed' | 'notRun';

/** A result's outcome: not run when the engine never started the tenant (cancel, failOnFirstError). */
export function outcomeOf(result: {
  isSuccess?: boolean | null;
  exception?: string | null;
}): Outcome {
  if (result.isSuccess) return 'succeeded';
  return /^Not run\b/.test(result.exception ?? '') ? 'notRun' : 'failed';
}

export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  notRun: 'Not run',
};

/** The $filter of an outcome. */
export function outcomeFilter(outcome: Outcome | ''): string | undefined {
  switch (outcome) {
    case 'succeeded':
      return 'isSuccess eq true';
    case 'failed':
      return "isSuccess eq false and not startswith(exception,'Not run')";
    case 'notRun':
      return "isSuccess eq false and startswith(exception,'Not run')";
    default:
      return undefined;
  }
}
