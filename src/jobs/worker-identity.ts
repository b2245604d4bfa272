import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { typedToken } from '../common/typed-token';

/** This process's name on the leases it holds (every job's): host, pid and a random part. */
export const WORKER_ID = typedToken<string>('WorkerId');

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
