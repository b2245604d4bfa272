import { Module } from '@nestjs/common';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { OperationRunsModule } from '../operation-runs/operation-runs.module';
import { ScheduleRules } from './schedule.rules';
import { Scheduler } from './scheduler';

/**
 * Operations that run by themselves: the `schedule` property's rules (checked, its next slots
 * computed) and the job that starts each slot's run.
 */
@Module({
  imports: [EntityStoresModule, OperationRunsModule],
  providers: [ScheduleRules, Scheduler],
})
export class SchedulesModule {}
