import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** This process's name on the leases it holds (every job's): host, pid and a random part. */
export const WORKER_ID = Symbol('WorkerId');

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
