import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsKeyPath, loadCredentialsKeys } from '../crypto/credentials-key';
import { ConfigError, loadConfig } from './app-config';

const KEY = 'ab'.repeat(32);
const ISSUER_KEY = '{"privateJwk":{},"publicJwk":{}}';
const URL = 'postgres://svc:secret-password@db.internal:5432/operations';

describe('loadConfig with DATABASE_URL', () => {
  it('selects PostgreSQL, with the pool and schema settings', () => {
    const config = loadConfig({
      DATABASE_URL: URL,
      DATABASE_SCHEMA: 'tenant_ops',
      DATABASE_POOL_SIZE: '25',
      CREDENTIALS_KEY: KEY,
      DEVELOPMENT_ISSUER_KEY: ISSUER_KEY,
    });
    expect(config.postgres).toEqual({
      url: URL,
      schema: 'tenant_ops',
      poolSize: 25,
      statementTimeoutMs: 30_000,
    });
  });

  it('stays on SQLite without it', () => {
    expect(loadConfig({}).postgres).toBeUndefined();
  });

  it('requires CREDENTIALS_KEY, which every instance must share', () => {
    expect(() => loadConfig({ DATABASE_URL: URL, DEVELOPMENT_ISSUER_KEY: ISSUER_KEY })).toThrow(
      /CREDENTIALS_KEY/,
    );
  });

  it('requires DEVELOPMENT_ISSUER_KEY when no identity provider is configured', () => {
    expect(() => loadConfig({ DATABASE_URL: URL, CREDENTIALS_KEY: KEY })).toThrow(
      /DEVELOPMENT_ISSUER_KEY/,
    );
    expect(
      loadConfig({
        DATABASE_URL: URL,
        CREDENTIALS_KEY: KEY,
        AUTH_ISSUER: 'https://login.microsoftonline.com/x/v2.0',
        AUTH_AUDIENCE: 'api://operations',
        AUTH_JWKS_URI: 'https://login.microsoftonline.com/x/discovery/v2.0/keys',
      }).auth.mode,
    ).toBe('jwks');
  });

  it.each([
    ['not a URL', 'db.internal:5432'],
    ['another database', 'mysql://db.internal/operations'],
  ])('refuses %s without echoing it (it may hold a password)', (_name, url) => {
    const load = () =>
      loadConfig({ DATABASE_URL: url, CREDENTIALS_KEY: KEY, DEVELOPMENT_ISSUER_KEY: ISSUER_KEY });
    expect(load).toThrow(ConfigError);
    expect(load).not.toThrow(new RegExp(url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() =>
      loadConfig({
        DATABASE_URL: URL,
        DATABASE_SCHEMA: 'x"; DROP SCHEMA public; --',
        CREDENTIALS_KEY: KEY,
        DEVELOPMENT_ISSUER_KEY: ISSUER_KEY,
      }),
    ).toThrow(/DATABASE_SCHEMA/);
  });

  it('never uses a key file beside a database path, even one left from SQLite days', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mto-config-'));
    writeFileSync(
      credentialsKeyPath(join(folder, 'db.sqlite')),
      randomBytes(32).toString('base64'),
    );
    try {
      const config = loadConfig({
        DATABASE_URL: URL,
        DATABASE_PATH: join(folder, 'db.sqlite'),
        CREDENTIALS_KEY: KEY,
        DEVELOPMENT_ISSUER_KEY: ISSUER_KEY,
      });
      expect(loadCredentialsKeys(config)).toEqual({
        current: Buffer.from(KEY, 'hex'),
        previous: [],
      });
      expect(readdirSync(folder)).toEqual(['db.sqlite.credentials-key']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  describe('LOG_PRETTY', () => {
    it('logs readable lines on a terminal and JSON into a pipe, a file or a container, when unset', () => {
      expect(loadConfig({}, true).logPretty).toBe(true);
      expect(loadConfig({}, false).logPretty).toBe(false);
    });

    it('LOG_PRETTY=0 forces JSON on a terminal, LOG_PRETTY=1 readable lines into a pipe', () => {
      expect(loadConfig({ LOG_PRETTY: '0' }, true).logPretty).toBe(false);
      expect(loadConfig({ LOG_PRETTY: 'false' }, true).logPretty).toBe(false);
      expect(loadConfig({ LOG_PRETTY: '1' }, false).logPretty).toBe(true);
    });

    it('refuses a value that is neither on nor off, naming the variable', () => {
      expect(() => loadConfig({ LOG_PRETTY: 'maybe' }, true)).toThrow(
        "LOG_PRETTY must be 1 or 0, not 'maybe'.",
      );
    });
  });

  describe('TLS_CERT_FILE, TLS_KEY_FILE and TRUST_PROXY', () => {
    it('needs both TLS files, and readable ones, naming what is wrong', () => {
      expect(() => loadConfig({ TLS_CERT_FILE: __filename })).toThrow(/go together/);
      expect(() =>
        loadConfig({ TLS_CERT_FILE: __filename, TLS_KEY_FILE: '/nonexistent/key.pem' }),
      ).toThrow("TLS_KEY_FILE names '/nonexistent/key.pem', which cannot be read.");
      expect(loadConfig({ TLS_CERT_FILE: __filename, TLS_KEY_FILE: __filename }).tls).toEqual({
        certFile: __filename,
        keyFile: __filename,
      });
      expect(loadConfig({}).tls).toBeUndefined();
    });

    it('trusts no proxy by default, any with 1, or the addresses listed', () => {
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
      expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.2.0.0/16' }).trustProxy).toBe(
        '10.0.0.1,10.2.0.0/16',
      );
      expect(() => loadConfig({ TRUST_PROXY: 'proxy.contoso.test' })).toThrow(/TRUST_PROXY must/);
    });
  });
});

describe('loadConfig: metrics and traces (the standard OTEL_* variables)', () => {
  it('traces nothing without an OTLP endpoint, or when the SDK or the exporter is turned off', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
    expect(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing).toBeUndefined();
  });

  it('reads the endpoint, headers, resource, sampler and batch settings', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.contoso.test:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%3D%3D,x-team=ops',
      OTEL_SERVICE_NAME: 'mto-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.namespace=msp',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    }).tracing;
    expect(tracing).toMatchObject({
      url: 'https://collector.contoso.test:4318/v1/traces',
      headers: { 'api-key': 'abc==', 'x-team': 'ops' },
      serviceName: 'mto-eu',
      resourceAttributes: { 'deployment.environment': 'prod', 'service.namespace': 'msp' },
      sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
      scheduleDelayMs: 1000,
      timeoutMs: 10_000,
    });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom/traces' }).tracing
        ?.url,
    ).toBe('http://c:4318/custom/traces');
  });

  it('refuses what it cannot use', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' })).toThrow(/http or https/);
    expect(() =>
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_TRACES_SAMPLER: 'sometimes' }),
    ).toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    expect(() =>
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_EXPORTER_OTLP_HEADERS: 'nokey' }),
    ).toThrow(/key=value/);
    expect(() => loadConfig({ METRICS_PORT: 'ninety' })).toThrow(/METRICS_PORT must be a port/);
  });

  it('keeps METRICS_TOKEN and METRICS_PORT', () => {
    expect(loadConfig({ METRICS_TOKEN: 's3cret', METRICS_PORT: '9464' }).metrics).toEqual({
      enabled: true,
      token: 's3cret',
      port: 9464,
    });
  });
});

describe('loadConfig: the console', () => {
  const ENTRA = {
    CONSOLE_CLIENT_ID: 'console-app',
    CONSOLE_AUTHORITY: 'https://login.microsoftonline.com/organizations/',
    CONSOLE_SCOPES: 'api://mto/ManagedTenants.ReadWrite.All, offline_access',
  };

  it('serves the console with no Microsoft sign-in by default, and none with CONSOLE_ENABLED=0', () => {
    expect(loadConfig({}).console).toEqual({ enabled: true });
    expect(loadConfig({ CONSOLE_ENABLED: '0' }).console).toEqual({ enabled: false });
  });

  it('reads the Entra ID sign-in settings', () => {
    expect(loadConfig(ENTRA).console.entra).toEqual({
      clientId: 'console-app',
      authority: 'https://login.microsoftonline.com/organizations',
      scopes: ['api://mto/ManagedTenants.ReadWrite.All', 'offline_access'],
    });
  });

  it('refuses half a configuration, an authority that is not https, or no scope', () => {
    expect(() => loadConfig({ CONSOLE_CLIENT_ID: 'x' })).toThrow(/go together/);
    expect(() => loadConfig({ ...ENTRA, CONSOLE_AUTHORITY: 'http://login.example' })).toThrow(
      /must be an https URL/,
    );
    expect(() => loadConfig({ ...ENTRA, CONSOLE_SCOPES: ' ' })).toThrow(/CONSOLE_SCOPES/);
  });
});
