import { Injectable } from '@nestjs/common';
import { JobName } from './job-names';

/** What a job reports as it goes, in its own terms (tenants, notifications, changes). */
export interface JobReport {
  /** Units of work claimed (from the database's queue, with a lease). */
  claimed(count: number): void;
  /** Units of work done. */
  completed(count: number): void;
  /** A step, task or duty failed (the kernel reports its own catches). */
  failed(error: unknown): void;
  /** How long the oldest unit of work claimed now had waited to be claimed. */
  lag(ms: number): void;
}

/** Listens to every job's reports: what a metrics layer subscribes with. */
export interface JobObserver {
  claimed?(job: JobName, count: number): void;
  completed?(job: JobName, count: number): void;
  failed?(job: JobName, error: unknown): void;
  lag?(job: JobName, ms: number): void;
  stepped?(job: JobName, ms: number): void;
}

/** The jobs' reports, fanned out to observers; an observer that throws is not the job's problem. */
@Injectable()
export class JobEvents {
  private readonly observers = new Set<JobObserver>();

  /** Adds an observer; the function removes it. */
  observe(observer: JobObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  reportFor(job: JobName): JobReport {
    return {
      claimed: (count) => this.emit((o) => o.claimed?.(job, count)),
      completed: (count) => this.emit((o) => o.completed?.(job, count)),
      failed: (error) => this.emit((o) => o.failed?.(job, error)),
      lag: (ms) => this.emit((o) => o.lag?.(job, ms)),
    };
  }

  stepped(job: JobName, ms: number): void {
    this.emit((o) => o.stepped?.(job, ms));
  }

  private emit(call: (observer: JobObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch {
        // An observer's failure is its own: the job goes on.
      }
    }
  }
}
