import { Inject, Injectable } from '@nestjs/common';
import { managedTenantOperation } from '../edm/model';
import { EntitySetPolicy, EntitySetRules } from '../entity-sets/entity-set-rules';
import { Clock, CLOCK } from '../jobs/clock';
import { planOf, scheduleFrom, ScheduleValue } from './schedule-plan';

/**
 * An operation's schedule as it is written: checked as a whole (a recurrence Graph's calendar
 * would refuse is a 400 naming the member), and given its computed members (the next slots from
 * now on, the last run's slot kept). A write that leaves the schedule as it was leaves them too,
 * so a slot waiting for a running run (bufferOne) keeps waiting.
 */
@Injectable()
@EntitySetRules(managedTenantOperation.entitySetName)
export class ScheduleRules implements EntitySetPolicy {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  completeWrite(
    properties: Readonly<Record<string, unknown>>,
    current: Readonly<Record<string, unknown>> | undefined,
  ): Record<string, unknown> {
    const schedule = properties.schedule as ScheduleValue | null | undefined;
    if (!schedule || schedule === current?.schedule) return { ...properties };
    const before = current?.schedule as ScheduleValue | null | undefined;
    return {
      ...properties,
      schedule: scheduleFrom(
        schedule,
        planOf(schedule),
        this.clock.now(),
        before?.lastRunDateTime ?? null,
      ),
    };
  }
}
