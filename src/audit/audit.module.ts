import { Module } from '@nestjs/common';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { AuditLogJanitor } from './audit-log-janitor';
import { AuditTrail } from './audit-trail';

/**
 * The partners' audit logs: how features write an event (`AuditTrail`), and the job that
 * forgets old ones. The `auditEvents` set is one of the entity sets.
 */
@Module({
  imports: [EntityStoresModule],
  providers: [AuditTrail, AuditLogJanitor],
  exports: [AuditTrail],
})
export class AuditModule {}
