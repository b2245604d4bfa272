import { Schedules1802000000000 } from '../1802000000000-Schedules';

/** Schedules, as on SQLite (../1802000000000-Schedules.ts), in PostgreSQL's types. */
export class Schedules1802000000001 extends Schedules1802000000000 {
  override name = 'Schedules1802000000001';
  protected override readonly scheduleType = 'jsonb';
  protected override readonly dueAtType = 'character varying(24) COLLATE "C"';
}
