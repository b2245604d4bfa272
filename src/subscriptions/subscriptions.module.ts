import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import { NotificationStore } from '../database/stores/notification.store';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { EntitySetRegistry } from '../entity-sets/entity-set.registry';
import { EntitySetsModule } from '../entity-sets/entity-sets.module';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationUrlPolicy } from '../integrations/webhooks/notification-urls';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';
import { WebhookClient } from '../integrations/webhooks/webhook-client';
import { AuditModule } from '../audit/audit.module';
import { AuditTrail } from '../audit/audit-trail';
import { AtomicWork } from '../database/atomic-work';
import { OutboundTelemetry } from '../observability/outbound-telemetry';

/** Change notifications: `/beta/subscriptions` and the dispatcher that sends them. */
@Module({
  imports: [EntityStoresModule, EntitySetsModule, AuditModule],
  controllers: [SubscriptionsController],
  providers: [
    {
      provide: NotificationUrlPolicy,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) =>
        new NotificationUrlPolicy(config.values.changes.notifications.allowedHttpHosts),
    },
    {
      provide: WebhookClient,
      inject: [NotificationUrlPolicy, OutboundTelemetry],
      useFactory: (policy: NotificationUrlPolicy, telemetry: OutboundTelemetry) =>
        new WebhookClient(policy, telemetry),
    },
    {
      provide: SubscriptionsService,
      inject: [
        NotificationStore,
        CredentialsCipher,
        NotificationUrlPolicy,
        WebhookClient,
        EntitySetRegistry,
        AppConfigService,
        AuditTrail,
        AtomicWork,
      ],
      useFactory: (
        store: NotificationStore,
        cipher: CredentialsCipher,
        policy: NotificationUrlPolicy,
        webhooks: WebhookClient,
        entitySets: EntitySetRegistry,
        config: AppConfigService,
        audit: AuditTrail,
        atomicWork: AtomicWork,
      ) =>
        new SubscriptionsService(
          store,
          cipher,
          policy,
          webhooks,
          entitySets,
          config.values.changes.notifications,
          audit,
          atomicWork,
        ),
    },
    NotificationDispatcher,
  ],
})
export class SubscriptionsModule {}
