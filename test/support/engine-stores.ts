import { Logger, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { CryptoModule } from '../../src/crypto/crypto.module';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DatabaseModule } from '../../src/database/database.module';
import { initializeDataSource } from '../../src/database/initialize-data-source';
import { EntityStore } from '../../src/database/stores/entity.store';
import { EntityStoresModule } from '../../src/database/stores/entity-stores.module';
import { RunHistoryStore } from '../../src/database/stores/run-history.store';
import { NewTenant, RunQueueStore, RunRecord } from '../../src/database/stores/run-queue.store';
import { Entity } from '../../src/edm/entity';
import {
  managedTenantOperation,
  managedTenantOperationHttpRequest,
  ManagedTenantOperationHttpRequestProperties,
  ManagedTenantOperationProperties,
  managedTenantOperationResult,
  ManagedTenantOperationResultProperties,
  tenant,
  TenantProperties,
} from '../../src/edm/model';
import { toUtcDateTimeOffset } from '../../src/edm/primitive-formats';
import { entityStoreToken } from '../../src/entity-sets/entity-set.tokens';
import { resolve } from '../../src/common/typed-token';
import { ManualClock } from '../../src/jobs/manual-clock';
import { TenantTask } from '../../src/database/stores/run-queue.store';
import { GraphClient } from '../../src/integrations/graph/graph-client';
import { TenantTokens } from '../../src/integrations/graph/tenant-tokens';
import { TenantClaims } from '../../src/operation-runs/engine/tenant-claims';
import { Dispatcher } from 'undici';

export const PARTNER = '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d';
export const PARTNER_USER = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

/**
 * The engine's stores on a real SQLite file in a fresh temp folder (migrated as the service
 * migrates it), for unit tests of the engine's parts with a manual clock.
 */
export class EngineStores {
  private constructor(
    private readonly moduleRef: TestingModule,
    private readonly folder: string,
    readonly clock: ManualClock,
  ) {}

  static async open(): Promise<EngineStores> {
    Logger.overrideLogger(false);
    const folder = mkdtempSync(join(tmpdir(), 'mto-engine-'));
    const config = loadConfig({ DATABASE_PATH: join(folder, 'engine.sqlite') });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(config), retryAttempts: 0 }),
          dataSourceFactory: (options) => initializeDataSource(options!),
        }),
        CryptoModule,
        DatabaseModule,
        EntityStoresModule,
      ],
    }).compile();
    await moduleRef.init();
    // The parts under test log what fails; the tests fail things on purpose.
    if (!process.env.ENGINE_TEST_LOGS) Logger.overrideLogger(false);
    return new EngineStores(moduleRef, folder, new ManualClock(Date.now()));
  }

  /** Any provider of the stores' module (a store, the configuration). */
  get<T>(type: Type<T>): T {
    return this.moduleRef.get(type);
  }

  get queue(): RunQueueStore {
    return this.moduleRef.get(RunQueueStore);
  }

  get history(): RunHistoryStore {
    return this.moduleRef.get(RunHistoryStore);
  }

  get operations(): EntityStore<ManagedTenantOperationProperties> {
    return resolve(this.moduleRef, entityStoreToken(managedTenantOperation));
  }

  get results(): EntityStore<ManagedTenantOperationResultProperties> {
    return resolve(this.moduleRef, entityStoreToken(managedTenantOperationResult));
  }

  get httpRequests(): EntityStore<ManagedTenantOperationHttpRequestProperties> {
    return resolve(this.moduleRef, entityStoreToken(managedTenantOperationHttpRequest));
  }

  get tenants(): EntityStore<TenantProperties> {
    return resolve(this.moduleRef, entityStoreToken(tenant));
  }

  get dataSource(): DataSource {
    return this.moduleRef.get(DataSource);
  }

  /** A running operation of PARTNER with these properties over the defaults. */
  async operation(
    properties: Partial<ManagedTenantOperationProperties> = {},
  ): Promise<Entity<ManagedTenantOperationProperties>> {
    const now = toUtcDateTimeOffset(new Date(this.clock.now()));
    const operation: Entity<ManagedTenantOperationProperties> = {
      id: randomUUID(),
      createdDateTime: now,
      lastModifiedDateTime: now,
      properties: {
        partnerTenantId: PARTNER,
        partnerUserId: PARTNER_USER,
        requestId: randomUUID(),
        status: 'running',
        name: 'Engine test',
        description: 'engine test',
        target: { allTenants: false, tenantIds: [] },
        operationDefinition: { value: 'GET /v1.0/users', logLevel: 'summary' },
        aggregationDefinition: { value: '' },
        credentials: { dapAccessToken: 'dap-token' },
        result: { tenantExceptions: [], result: [] },
        ...properties,
      },
      dynamicProperties: {},
    };
    await this.operations.insert({ tenantId: PARTNER }, operation);
    return operation;
  }

  /** Starts run 1 of `operationId` over `tenants` (GUIDs) and returns its record. */
  async startRun(
    operationId: string,
    tenants: readonly (string | NewTenant)[],
    expanding = false,
  ): Promise<RunRecord> {
    const started = await this.queue.start({
      partnerTenantId: PARTNER,
      operationId,
      run: 1,
      baseRun: 1,
      tenants: tenants.map((tenant) =>
        typeof tenant === 'string' ? { targetTenantId: tenant, resultId: randomUUID() } : tenant,
      ),
      expanding,
      startedAt: this.clock.now(),
      start: { trigger: 'manual', initiatedByUserId: PARTNER_USER, initiatedByAppId: null },
    });
    if (!started) throw new Error('The run did not start.');
    return (await this.queue.find({ partnerTenantId: PARTNER, operationId }))!;
  }

  /** Claims up to `count` tenants of the runs under way, as `owner`, in their order. */
  async claim(count: number, owner = 'worker-a'): Promise<TenantTask[]> {
    const claims = new TenantClaims(this.queue, this.clock, owner, {
      concurrency: count,
      leaseMs: 30_000,
    });
    return (
      await claims.claim(
        0,
        () => 0,
        () => false,
      )
    ).flat();
  }

  async close(): Promise<void> {
    await this.moduleRef.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** `count` tenant ids, GUIDs. */
export function tenantIds(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

/** Graph's client and the token endpoint's, both on a stand-in at `url` (on-behalf-of as `client`). */
export function graphOn(
  url: string,
  dispatcher: Dispatcher,
  options: { readonly clientSecret: string; readonly maxAttempts: number },
): { graph: GraphClient; tokens: TenantTokens } {
  const config = {
    graphApiUrl: url,
    authorityUrl: url,
    client: { id: 'client', secret: options.clientSecret },
    maxAttempts: options.maxAttempts,
    callTimeoutMs: 5_000,
    retryBaseMs: 1,
  };
  return {
    graph: new GraphClient(config, dispatcher),
    tokens: new TenantTokens(config, dispatcher),
  };
}
