import { Clock } from '../../src/jobs/clock';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse as InjectResponse } from 'fastify';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { DestinationStream } from 'pino';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  developmentKeyPath,
  loadDevelopmentKey,
  mintDevelopmentToken,
} from '../../src/auth/development-issuer';
import { Agent } from 'undici';
import { createApp } from '../../src/app.factory';
import {
  makeDevelopmentCertificate,
  writeDevelopmentCertificate,
} from '../../src/crypto/development-certificate';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { credentialsKeyPath } from '../../src/crypto/credentials-key';
import { noteSecret, runLogDestination } from './run-log';
import { dropPostgresSchema, freshPostgresEnv, ON_POSTGRES } from './test-database';

export const ENTITY_SET = '/beta/managedTenantOperations';

/** The caller the tests act as unless they say otherwise: a partner tenant and one of its users. */
export const TEST_TENANT = '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d';
export const TEST_USER = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
export const READ_WRITE = ['ManagedTenants.ReadWrite.All'];

export interface TokenOptions {
  tenantId?: string;
  userId?: string;
  scopes?: readonly string[];
  expiresIn?: number;
  applicationId?: string;
}

/**
 * The application on a real SQLite file in a fresh temp folder, driven through Fastify's inject.
 * Requests carry a development token for TEST_TENANT/TEST_USER unless they bring an
 * Authorization header of their own (or `anonymous` is used).
 */
export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly folder: string,
    readonly defaultToken: string,
    /** On PostgreSQL: the schema and keys of this app's database, kept across restarts. */
    readonly databaseEnv: NodeJS.ProcessEnv,
  ) {}

  static async start(
    env: NodeJS.ProcessEnv = {},
    options: {
      folder?: string;
      logDestination?: DestinationStream;
      databaseEnv?: NodeJS.ProcessEnv;
      /** The clock of background work and schedules (a ShiftedClock moves it). */
      clock?: Clock;
    } = {},
  ): Promise<TestApp> {
    const folder = options.folder ?? mkdtempSync(join(tmpdir(), 'mto-test-'));
    const databaseEnv = options.databaseEnv ?? (ON_POSTGRES ? await freshPostgresEnv() : {});
    // Tests fire many requests as one user; the throttling test sets its own limit.
    const config = loadConfig({
      DATABASE_PATH: join(folder, 'db', 'test.sqlite'),
      THROTTLE_LIMIT: '1000000',
      ...databaseEnv,
      ...env,
    });
    noteSecret(databaseEnv.CREDENTIALS_KEY);
    noteSecret(
      databaseEnv.DEVELOPMENT_ISSUER_KEY &&
        JSON.parse(databaseEnv.DEVELOPMENT_ISSUER_KEY).privateJwk.d,
    );
    noteSecret(env.CREDENTIALS_KEY);
    for (const key of (env.CREDENTIALS_KEYS ?? '').split(',')) noteSecret(key);
    const app = await createApp(config, {
      logDestination: options.logDestination ?? runLogDestination(),
      clock: options.clock,
    });
    await app.getHttpAdapter().getInstance().ready();
    noteKeyFiles(config);
    const token = config.auth.mode === 'development' ? await tokenFor(config, {}) : '';
    return new TestApp(app, config, folder, token, databaseEnv);
  }

  get databasePath(): string {
    return this.config.databasePath;
  }

  /** A development token for any tenant, user, scopes and lifetime. */
  token(options: TokenOptions = {}): Promise<string> {
    return tokenFor(this.config, options);
  }

  inject(options: InjectOptions): Promise<InjectResponse> {
    const headers = { ...(options.headers ?? {}) } as Record<string, string>;
    if (!('authorization' in headers) && this.defaultToken) {
      headers.authorization = `Bearer ${this.defaultToken}`;
    }
    noteCredentials(options.payload);
    return this.app.inject({ ...options, headers });
  }

  /** A request with no Authorization header at all. */
  anonymous(options: InjectOptions): Promise<InjectResponse> {
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

  delete(url: string, headers: Record<string, string> = {}): Promise<InjectResponse> {
    return this.inject({ method: 'DELETE', url, headers });
  }

  /** Stops the app, keeping its database folder. */
  async stop(): Promise<void> {
    await this.app.close();
  }

  /** Stops the app and removes its folder. */
  async dispose(): Promise<void> {
    await this.app.close();
    rmSync(this.folder, { recursive: true, force: true });
    await dropPostgresSchema(this.databaseEnv);
  }

  /** Another app on the same database (file, or PostgreSQL schema), as after a restart. */
  restartOnSameDatabase(env: NodeJS.ProcessEnv = {}, clock?: Clock): Promise<TestApp> {
    return TestApp.start(env, { folder: this.folder, databaseEnv: this.databaseEnv, clock });
  }
}

/** A token from the development issuer of the service configured by `config`. */
export async function tokenFor(
  config: Pick<AppConfig, 'databasePath' | 'auth' | 'developmentIssuerKey'>,
  options: TokenOptions,
): Promise<string> {
  const key = await loadDevelopmentKey(config);
  const token = await mintDevelopmentToken(key, config.auth.issuer, config.auth.audience, {
    tenantId: options.tenantId ?? TEST_TENANT,
    userId: options.userId ?? TEST_USER,
    scopes: options.scopes ?? READ_WRITE,
    expiresIn: options.expiresIn ?? 3600,
    applicationId: options.applicationId,
  });
  noteSecret(token);
  return token;
}

/** The credentials key file's key and the development issuer's private key are secrets too. */
function noteKeyFiles(config: AppConfig): void {
  const keyFile = credentialsKeyPath(config.databasePath);
  if (existsSync(keyFile)) noteSecret(readFileSync(keyFile, 'utf8').trim());
  const issuerFile = developmentKeyPath(config.databasePath);
  if (existsSync(issuerFile)) {
    const key = JSON.parse(readFileSync(issuerFile, 'utf8')) as { privateJwk: { d?: string } };
    noteSecret(key.privateJwk.d);
  }
}

/** Credential values a test sends (in an entity or in a $batch) are secrets. */
function noteCredentials(payload: unknown): void {
  if (payload === null || typeof payload !== 'object') return;
  for (const [name, value] of Object.entries(payload)) {
    if (name === 'credentials' && value && typeof value === 'object') {
      for (const secret of Object.values(value)) if (typeof secret === 'string') noteSecret(secret);
    } else {
      noteCredentials(value);
    }
  }
}

/** The application listening on a loopback port, for clients that need a real HTTP server. */
export interface ListeningApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  /** `http://127.0.0.1:<port>`, or https when `env` sets TLS_CERT_FILE/TLS_KEY_FILE. */
  readonly baseUrl: string;
  /** A development token of TEST_TENANT/TEST_USER with ReadWrite. */
  readonly token: string;
  close(): Promise<void>;
}

export async function startListening(env: NodeJS.ProcessEnv = {}): Promise<ListeningApp> {
  const folder = mkdtempSync(join(tmpdir(), 'mto-listen-'));
  const config = loadConfig({ DATABASE_PATH: join(folder, 'db.sqlite'), ...env });
  const app = await createApp(config, { logDestination: runLogDestination() });
  const token = await tokenFor(config, {});
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    token,
    close: async () => {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The application serving HTTPS on loopback with a fresh development certificate. */
export interface ListeningHttpsApp extends ListeningApp {
  /** A fetch dispatcher that trusts the certificate, as NODE_EXTRA_CA_CERTS would. */
  readonly trusting: Agent;
}

export async function startListeningOverHttps(): Promise<ListeningHttpsApp> {
  const folder = mkdtempSync(join(tmpdir(), 'mto-tls-'));
  const paths = { certFile: join(folder, 'cert.pem'), keyFile: join(folder, 'key.pem') };
  writeDevelopmentCertificate(await makeDevelopmentCertificate(), paths);
  const server = await startListening({
    TLS_CERT_FILE: paths.certFile,
    TLS_KEY_FILE: paths.keyFile,
  });
  const trusting = new Agent({ connect: { ca: readFileSync(paths.certFile, 'utf8') } });
  return {
    ...server,
    trusting,
    close: async () => {
      await server.close();
      await trusting.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
