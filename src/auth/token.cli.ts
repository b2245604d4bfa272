/**
 * npm run token -- [--tenant <guid>] [--user <guid>] [--scopes ManagedTenants.ReadWrite.All] [--expires 1h]
 * npm run token -- --new-issuer-key   (prints a key pair for DEVELOPMENT_ISSUER_KEY)
 *
 * Mints a delegated access token from the development issuer, reading the same configuration as
 * the server (DATABASE_PATH included) so that it finds the same key. The token is the last line.
 * Without --tenant or --user, new GUIDs are made up for them (and said on stderr).
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/app-config';
import { isGuid } from '../edm/primitive-formats';
import {
  createDevelopmentKey,
  loadDevelopmentKey,
  mintDevelopmentToken,
} from './development-issuer';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** `3600`, `90s`, `30m`, `1h`, `2d` → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match)
    throw new Error(`--expires takes a duration like 3600, 30m, 1h or 2d, not '${text}'.`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--new-issuer-key')) {
    // A key pair for DEVELOPMENT_ISSUER_KEY, shared by every instance on one PostgreSQL.
    console.log(await createDevelopmentKey());
    return;
  }
  const config = loadConfig();
  if (config.auth.mode !== 'development') {
    throw new Error('AUTH_* is configured: get tokens from that identity provider, not from here.');
  }
  // Left out, a tenant and a user are made up: enough to try the service as a new partner.
  const tenantId = option(args, 'tenant') ?? randomUUID();
  const userId = option(args, 'user') ?? randomUUID();
  if (!isGuid(tenantId) || !isGuid(userId)) {
    throw new Error(
      'Usage: npm run token -- [--tenant <guid>] [--user <guid>] [--scopes …] [--expires 1h]',
    );
  }
  const scopes = (option(args, 'scopes') ?? 'ManagedTenants.ReadWrite.All')
    .split(/[\s,]+/)
    .filter(Boolean);
  const expiresIn = parseDuration(option(args, 'expires') ?? '1h');
  const key = await loadDevelopmentKey(config);
  const token = await mintDevelopmentToken(key, config.auth.issuer, config.auth.audience, {
    tenantId: tenantId.toLowerCase(),
    userId: userId.toLowerCase(),
    scopes,
    expiresIn,
  });
  console.error(
    `Development token for tenant ${tenantId}, user ${userId}, scopes ${scopes.join(' ')}, ` +
      `valid ${expiresIn} s (${config.developmentIssuerKey ? 'DEVELOPMENT_ISSUER_KEY' : `database ${config.databasePath}`}):`,
  );
  console.log(token);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
