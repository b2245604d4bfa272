import { RunNumbers1800000000000 } from '../1800000000000-RunNumbers';

/** Run numbers on results and HTTP requests, as on SQLite (../1800000000000-RunNumbers.ts). */
export class RunNumbers1800000000001 extends RunNumbers1800000000000 {
  override name = 'RunNumbers1800000000001';
}
