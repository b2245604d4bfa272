import { LoggerService, LogLevel } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse as InjectResponse } from 'fastify';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';

export const ENTITY_SET = '/beta/managedTenantOperations';

/** The application on a real SQLite file in a fresh temp folder, driven through Fastify's inject. */
export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly folder: string,
  ) {}

  static async start(
    env: NodeJS.ProcessEnv = {},
    options: { folder?: string; logger?: LogLevel[] | false | LoggerService } = {},
  ): Promise<TestApp> {
    const folder = options.folder ?? mkdtempSync(join(tmpdir(), 'mto-test-'));
    const config = loadConfig({ DATABASE_PATH: join(folder, 'db', 'test.sqlite'), ...env });
    const app = await createApp(config, { logger: options.logger ?? false });
    await app.getHttpAdapter().getInstance().ready();
    return new TestApp(app, config, folder);
  }

  get databasePath(): string {
    return this.config.databasePath;
  }

  inject(options: InjectOptions): Promise<InjectResponse> {
    return this.app.inject(options);
  }

  post(body: unknown, headers: Record<string, string> = {}): Promise<InjectResponse> {
    return this.inject({ method: 'POST', url: ENTITY_SET, payload: body as object, headers });
  }

  get(url: string, headers: Record<string, string> = {}): Promise<InjectResponse> {
    return this.inject({ method: 'GET', url, headers });
  }

  patch(url: string, body: unknown, headers: Record<string, string> = {}): Promise<InjectResponse> {
    return this.inject({ method: 'PATCH', url, payload: body as object, headers });
  }

  delete(url: string): Promise<InjectResponse> {
    return this.inject({ method: 'DELETE', url });
  }

  /** Stops the app, keeping its database folder. */
  async stop(): Promise<void> {
    await this.app.close();
  }

  /** Stops the app and removes its folder. */
  async dispose(): Promise<void> {
    await this.app.close();
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** Another app on the same database file, as after a restart. */
  restartOnSameDatabase(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
    return TestApp.start(env, { folder: this.folder });
  }
}
