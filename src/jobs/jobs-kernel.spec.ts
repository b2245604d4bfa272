import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfig } from '../config/app-config';
import { AppConfigService } from '../config/app-config.service';
import { JobContext, JobHandler, JobSettings, OnJob, StepOutcome } from './job-handler';
import { JobName } from './job-names';
import { JobsModule } from './jobs.module';

const steps: Array<{ job: JobName; workerId: string }> = [];

function handlerOf(name: JobName) {
  @Injectable()
  @OnJob(name)
  class Handler implements JobHandler {
    settings(): JobSettings {
      return { enabled: true, pollMs: 60_000, concurrency: 1 };
    }
    step(job: JobContext): Promise<StepOutcome> {
      steps.push({ job: job.name, workerId: job.workerId });
      return Promise.resolve('idle');
    }
  }
  return Handler;
}

@Global()
@Module({
  providers: [
    {
      provide: AppConfigService,
      useValue: new AppConfigService({ shutdownTimeoutMs: 1_000 } as AppConfig),
    },
  ],
  exports: [AppConfigService],
})
class ConfigForTests {}

async function startWith(...handlers: ReturnType<typeof handlerOf>[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigForTests, JobsModule.forRoot()],
    providers: handlers,
  }).compile();
  return moduleRef.init();
}

describe('JobsKernel', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (steps.length = 0));

  it('starts every declared job on its handler, all under one worker identity', async () => {
    const app = await startWith(
      handlerOf('operationRuns'),
      handlerOf('changeNotifications'),
      handlerOf('changeFeedPurge'),
      handlerOf('schedules'),
      handlerOf('tenantDirectory'),
      handlerOf('auditLogPurge'),
      handlerOf('walCheckpoint'),
    );
    await new Promise((done) => setTimeout(done, 50));
    await app.close();
    expect(steps.map((step) => step.job).sort()).toEqual([
      'auditLogPurge',
      'changeFeedPurge',
      'changeNotifications',
      'operationRuns',
      'schedules',
      'tenantDirectory',
      'walCheckpoint',
    ]);
    expect(new Set(steps.map((step) => step.workerId)).size).toBe(1);
  });

  it('refuses to start when a declared job has no handler', async () => {
    await expect(
      startWith(handlerOf('operationRuns'), handlerOf('changeFeedPurge')),
    ).rejects.toThrow(
      `The job "changeNotifications" is declared but no provider handles it (@OnJob('changeNotifications')).`,
    );
    expect(steps).toHaveLength(0);
  });

  it('refuses to start when a job has two handlers', async () => {
    await expect(
      startWith(
        handlerOf('operationRuns'),
        handlerOf('changeNotifications'),
        handlerOf('changeFeedPurge'),
        handlerOf('changeFeedPurge'),
      ),
    ).rejects.toThrow('The job "changeFeedPurge" has 2 handlers; it must have one.');
  });
});
