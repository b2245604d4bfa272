import { Inject, Injectable } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { AppConfigService } from '../config/app-config.service';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from '../jobs/job-handler';
import { dialectOf, SQLITE_BUSY_TIMEOUT_MS } from './data-source-options';

/** How often the write-ahead log is copied into the database file. */
const CHECKPOINT_INTERVAL_MS = 1_000;

/** What one checkpoint did, in pages of the log (SQLite's `wal_checkpoint` answer). */
export interface CheckpointResult {
  /** Pages in the log. */
  readonly log: number;
  /** Pages of it now in the database file. */
  readonly checkpointed: number;
}

/**
 * Pages the log holds before the thread copies it (SQLite's own default threshold): a smaller log
 * is left to grow, as SQLite itself would leave it.
 */
const MIN_CHECKPOINT_PAGES = 1_000;

/**
 * The checkpointing thread. It is a string, run with `eval`, so that it runs the same from the
 * build and from the sources (a thread cannot load TypeScript); it opens its own connection to
 * the file and, when asked, checkpoints the log if it holds MIN_CHECKPOINT_PAGES or more (the log
 * file keeps its size once grown, so after a first busy spell every ask checkpoints). PASSIVE: it
 * never waits for, nor blocks, a reader or a writer; what it cannot copy yet, the next one copies.
 */
const CHECKPOINT_THREAD = `
const { statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = FULL');
const minLogBytes = workerData.minPages * db.pragma('page_size', { simple: true });
const logBytes = () => {
  try {
    return statSync(workerData.path + '-wal').size;
  } catch {
    return 0;
  }
};
parentPort.on('message', () => {
  try {
    if (logBytes() < minLogBytes) return parentPort.postMessage({ log: 0, checkpointed: 0 });
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log, checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});
`;

/**
 * Copies SQLite's write-ahead log into the database file on a thread of its own. Left to itself,
 * SQLite checkpoints in the connection that commits, each time the log passes
 * `wal_autocheckpoint` pages: on the event loop, copying thousands of pages and syncing the file
 * while every request and every tenant in flight waits. The service's connection keeps a high
 * `wal_autocheckpoint` (WAL_AUTOCHECKPOINT_PAGES) only as a safety net, and these checkpoints
 * leave it little to copy. Off on PostgreSQL and for a database in memory.
 */
@Injectable()
@OnJob('walCheckpoint')
export class WalCheckpoints implements JobHandler {
  private thread?: Worker;
  private answer?: { resolve: (result: CheckpointResult) => void; reject: (e: Error) => void };

  constructor(@Inject(AppConfigService) private readonly config: AppConfigService) {}

  settings(): JobSettings {
    const { values } = this.config;
    return {
      enabled: dialectOf(values) === 'sqlite' && values.databasePath !== ':memory:',
      pollMs: CHECKPOINT_INTERVAL_MS,
      concurrency: 0,
    };
  }

  /** The thread starts with the service (a fixed cost, not one that comes later with the load). */
  async start(): Promise<void> {
    await this.checkpoint();
  }

  async step(job: JobContext): Promise<StepOutcome> {
    const { checkpointed } = await this.checkpoint();
    if (checkpointed > 0) job.report.completed(checkpointed);
    return 'idle';
  }

  /** One checkpoint on the thread (started the first time, and again after it failed). */
  checkpoint(): Promise<CheckpointResult> {
    const thread = (this.thread ??= this.startThread());
    return new Promise<CheckpointResult>((resolve, reject) => {
      this.answer = { resolve, reject };
      thread.postMessage('checkpoint');
    });
  }

  async stop(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private startThread(): Worker {
    const thread = new Worker(CHECKPOINT_THREAD, {
      eval: true,
      workerData: {
        driver: require.resolve('better-sqlite3'),
        path: this.config.values.databasePath,
        busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
        minPages: MIN_CHECKPOINT_PAGES,
      },
    });
    // It never keeps the process alive: the kernel stops it at shutdown, and a test may not.
    thread.unref();
    thread.on('message', (message: CheckpointResult & { error?: string }) => {
      const answer = this.answer;
      this.answer = undefined;
      if (message.error === undefined) answer?.resolve(message);
      else answer?.reject(new Error(`The checkpoint failed: ${message.error}`));
    });
    const failed = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      this.answer?.reject(error);
      this.answer = undefined;
    };
    thread.on('error', failed);
    thread.on('exit', () => failed(new Error('The checkpointing thread stopped.')));
    return thread;
  }
}
