import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change notifications: the subscriptions, and the notifications waiting to be sent
 * (each change a subscription matches, and lifecycle events), which go with their subscription.
 */
export class Subscriptions1799000000000 implements MigrationInterface {
  name = 'Subscriptions1799000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of SUBSCRIPTION_TABLES('integer PRIMARY KEY AUTOINCREMENT', 'integer')) {
      await queryRunner.query(statement);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notification_deliveries"`);
    await queryRunner.query(`DROP TABLE "subscriptions"`);
  }
}

/** The tables, the same on both databases but for the serial key and a millisecond time. */
export function SUBSCRIPTION_TABLES(
  serialKey: string,
  milliseconds: 'integer' | 'bigint',
): string[] {
  return [
    `CREATE TABLE "subscriptions" ("id" varchar(36) NOT NULL PRIMARY KEY, "partnerTenantId" varchar(36) NOT NULL, "creatorId" varchar(36), "applicationId" varchar(36), "resource" varchar(2048) NOT NULL, "entitySet" varchar(64) NOT NULL, "entityId" varchar(36), "parentId" varchar(36), "filter" varchar(2048), "changeTypes" varchar(64) NOT NULL, "notificationUrl" varchar(2048) NOT NULL, "lifecycleNotificationUrl" varchar(2048), "expirationDateTime" varchar(40) NOT NULL, "expiresAt" ${milliseconds} NOT NULL, "clientState" varchar(1024), "latestSupportedTlsVersion" varchar(16), "state" varchar(16) NOT NULL, "removedAt" ${milliseconds}, "dropped" integer NOT NULL DEFAULT 0, "createdDateTime" varchar(40) NOT NULL, "lastModifiedDateTime" varchar(40) NOT NULL)`,
    `CREATE INDEX "IDX_subscriptions_tenant" ON "subscriptions" ("partnerTenantId", "entitySet")`,
    `CREATE INDEX "IDX_subscriptions_state" ON "subscriptions" ("state", "expiresAt")`,
    `CREATE TABLE "notification_deliveries" ("id" ${serialKey}, "subscriptionId" varchar(36) NOT NULL, "kind" varchar(16) NOT NULL, "payload" text NOT NULL, "attempts" integer NOT NULL DEFAULT 0, "queuedAt" ${milliseconds} NOT NULL, "nextAttemptAt" ${milliseconds} NOT NULL, "leaseOwner" varchar(64), "leaseUntil" ${milliseconds} NOT NULL DEFAULT 0, "lastError" varchar(1024), CONSTRAINT "FK_notification_deliveries_subscription" FOREIGN KEY ("subscriptionId") REFERENCES "subscriptions" ("id") ON DELETE CASCADE)`,
    `CREATE INDEX "IDX_notification_deliveries_due" ON "notification_deliveries" ("nextAttemptAt", "subscriptionId")`,
    `CREATE INDEX "IDX_notification_deliveries_subscription" ON "notification_deliveries" ("subscriptionId", "id")`,
  ];
}
