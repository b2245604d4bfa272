import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AppConfigService } from '../config/app-config.service';
import { CLOCK, Clock } from './clock';
import { JobEvents } from './job-events';
import { JobHandler, OnJob } from './job-handler';
import { JobLoop } from './job-loop';
import { DECLARED_JOBS, JobName } from './job-names';
import { WORKER_ID } from './worker-identity';

/**
 * The one home of background work. At start-up it finds the providers marked `@OnJob(name)`,
 * refuses to start unless every declared job has exactly one, and runs each on a `JobLoop`; at
 * shutdown it stops them all within the shutdown time (half of it for tasks to finish).
 */
@Injectable()
export class JobsKernel implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loops = new Map<JobName, JobLoop>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly events: JobEvents,
    private readonly config: AppConfigService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKER_ID) private readonly workerId: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const handlers = this.handlers();
    for (const [name, handler] of handlers) {
      this.loops.set(name, new JobLoop(name, handler, this.workerId, this.clock, this.events));
    }
    for (const loop of this.loops.values()) await loop.begin();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const deadline = this.config.values.shutdownTimeoutMs;
    await Promise.all(
      [...this.loops.values()].map((loop) => loop.shutdown(deadline / 2, deadline)),
    );
  }

  private handlers(): Map<JobName, JobHandler> {
    const found = new Map<JobName, JobHandler[]>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: OnJob.KEY })) {
      const name = this.discovery.getMetadataByDecorator(OnJob, wrapper);
      if (!name || !wrapper.instance) continue;
      if (!(DECLARED_JOBS as readonly string[]).includes(name)) {
        throw new Error(`${wrapper.name} handles the job "${name}", which is not declared.`);
      }
      found.set(name, [...(found.get(name) ?? []), wrapper.instance as JobHandler]);
    }
    const handlers = new Map<JobName, JobHandler>();
    for (const name of DECLARED_JOBS) {
      const candidates = found.get(name) ?? [];
      if (candidates.length !== 1) {
        throw new Error(
          candidates.length === 0
            ? `The job "${name}" is declared but no provider handles it (@OnJob('${name}')).`
            : `The job "${name}" has ${candidates.length} handlers; it must have one.`,
        );
      }
      handlers.set(name, candidates[0]);
    }
    return handlers;
  }
}
