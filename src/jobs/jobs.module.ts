import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { provideBy, provideValue } from '../common/typed-token';
import { CLOCK, systemClock } from './clock';
import { JobEvents } from './job-events';
import { JobsKernel } from './jobs-kernel';
import { newWorkerId, WORKER_ID } from './worker-identity';

/**
 * The jobs kernel, its clock, the process's worker identity and the jobs' events, for every
 * module that declares a job handler.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    provideValue(CLOCK, systemClock),
    provideBy(WORKER_ID, [], newWorkerId),
    JobEvents,
    JobsKernel,
  ],
  exports: [CLOCK, WORKER_ID, JobEvents, JobsKernel],
})
export class JobsModule {}
