import { RunTraceContext1804000000000 } from '../1804000000000-RunTraceContext';

/** A run's trace context, as on SQLite (../1804000000000-RunTraceContext.ts), in PostgreSQL's types. */
export class RunTraceContext1804000000001 extends RunTraceContext1804000000000 {
  override name = 'RunTraceContext1804000000001';
  protected override readonly traceparentType = 'character varying(55)';
}
