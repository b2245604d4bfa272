import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { provideBy, provideValue } from '../common/typed-token';
import { Clock, CLOCK, systemClock } from './clock';
import { JobEvents } from './job-events';
import { JobsKernel } from './jobs-kernel';
import { newWorkerId, WORKER_ID } from './worker-identity';

/**
 * The jobs kernel, its clock, the process's worker identity and the jobs' events, for every
 * module that declares a job handler.
 */
@Global()
@Module({})
export class JobsModule {
  /** The jobs on a clock: the process's own, or one a test moves. */
  static forRoot(clock: Clock = systemClock): DynamicModule {
    return {
      module: JobsModule,
      imports: [DiscoveryModule],
      providers: [
        provideValue(CLOCK, clock),
        provideBy(WORKER_ID, [], newWorkerId),
        JobEvents,
        JobsKernel,
      ],
      exports: [CLOCK, WORKER_ID, JobEvents, JobsKernel],
    };
  }
}
