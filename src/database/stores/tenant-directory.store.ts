import { Injectable } from '@nestjs/common';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { placeholders, SqlExecutor, SqlRow } from '../sql-executor';

/** The delegated credentials a partner's directory is refreshed with, in clear (never stored so). */
export interface DirectoryCredentials {
  readonly dapAccessToken?: string;
  readonly refreshToken?: string;
}

/** A refresh claimed by this worker: whose directory, with what, and which request it serves. */
export interface ClaimedRefresh {
  readonly partnerTenantId: string;
  /** Changes with every request, so that finishing one never swallows a request made meanwhile. */
  readonly generation: number;
  readonly requestedBy: string | null;
  readonly credentials: DirectoryCredentials;
  /** Due by itself (the kept refresh token's interval), not asked for by a partner's user. */
  readonly dueByItself: boolean;
  /** The refresh token as stored when claimed: only it is replaced by a rotated one, or forgotten. */
  readonly sealedRefreshToken: string | null;
}

/** How a refresh ended, as the directory keeps it. */
export interface RefreshOutcome {
  readonly at: number;
  /** When the next refresh is due by itself (null: only when asked). */
  readonly nextDueAt: number | null;
  /** Why it failed, scrubbed of secrets. */
  readonly error?: string;
  /** The refresh token the token endpoint gave in exchange for the one used. */
  readonly rotatedRefreshToken?: string;
  /** The kept refresh token was refused: it goes. */
  readonly forgetRefreshToken?: boolean;
}

/** How a partner's directory was last refreshed. */
export interface DirectoryState {
  readonly lastRefreshAt: number | null;
  readonly lastError: string | null;
  readonly dueAt: number | null;
  readonly keepsRefreshToken: boolean;
}

const TABLE = '"tenant_directories"';
const LISTED = '"directory_listing_tenants"';
/** The most customers one statement notes as listed (three values each). */
const LISTED_PER_INSERT = 1_000;
/** Secrets are bound to their directory's row, so that a copied ciphertext does not decrypt. */
export const boundTo = (partnerTenantId: string): string => `tenant_directories:${partnerTenantId}`;

/**
 * What the directories of customer tenants need of the database besides the tenants themselves:
 * per partner, when the next refresh is due, the credentials it uses (encrypted), a lease while
 * one worker refreshes it, and how the last refresh went; and, while a listing of a partner's
 * contracts goes on, the customers it has listed.
 */
@Injectable()
export class TenantDirectoryStore {
  private readonly sql: ReturnType<typeof directorySql>;

  constructor(
    private readonly db: SqlExecutor,
    private readonly cipher: CredentialsCipher,
  ) {
    this.sql = directorySql(db.dialect.skipLocked);
  }

  /**
   * A refresh asked for, due at once. A refresh token sent is kept for the refreshes that
   * follow; a dapAccessToken only until the refresh it was sent for has used it.
   */
  async request(
    partnerTenantId: string,
    credentials: DirectoryCredentials,
    requestedBy: string,
    now: number,
  ): Promise<void> {
    const seal = (secret: string | undefined) =>
      secret ? this.cipher.encrypt(secret, boundTo(partnerTenantId)) : null;
    await this.db.run(this.sql.request, [
      partnerTenantId,
      now,
      requestedBy,
      seal(credentials.dapAccessToken),
      seal(credentials.refreshToken),
    ]);
  }

  /** Directories whose refresh is due, leased to `owner` until `leaseUntil`. */
  async claimDue(
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<ClaimedRefresh[]> {
    const rows = await this.db.all(this.sql.claimDue, [owner, leaseUntil, now, now, limit]);
    return rows.map((row) => this.claimedFrom(row));
  }

  /**
   * Ends a claimed refresh: the next one falls due as the outcome says, unless a request came
   * meanwhile (its own refresh is then still due, with its credentials); the refresh token is
   * replaced (rotated) or forgotten (refused) only if it is still the one the refresh used.
   */
  async finish(claim: ClaimedRefresh, owner: string, outcome: RefreshOutcome): Promise<boolean> {
    const rotated = outcome.rotatedRefreshToken
      ? this.cipher.encrypt(outcome.rotatedRefreshToken, boundTo(claim.partnerTenantId))
      : null;
    const changed = await this.db.run(this.sql.finish, [
      claim.generation,
      outcome.nextDueAt,
      claim.generation,
      claim.generation,
      claim.sealedRefreshToken,
      outcome.forgetRefreshToken ? 1 : 0,
      rotated,
      outcome.at,
      outcome.error?.slice(0, 1_024) ?? null,
      claim.partnerTenantId,
      owner,
    ]);
    return changed === 1;
  }

  /** How the partner's directory was last refreshed, if it ever was asked to be. */
  async stateOf(partnerTenantId: string): Promise<DirectoryState | undefined> {
    const row = await this.db.get(this.sql.state, [partnerTenantId]);
    if (!row) return undefined;
    return {
      lastRefreshAt: numberOrNull(row.lastRefreshAt),
      lastError: (row.lastError as string | null) ?? null,
      dueAt: numberOrNull(row.dueAt),
      keepsRefreshToken: row.refreshToken !== null && row.refreshToken !== undefined,
    };
  }

  /**
   * Notes customers as listed by the listing `listingId`; the ones among them it had not listed
   * before (each once, however often they were named).
   */
  async noteListed(
    listingId: string,
    tenantIds: readonly string[],
    now: number,
  ): Promise<string[]> {
    const perInsert = Math.min(LISTED_PER_INSERT, Math.floor(this.db.dialect.maxParameters / 3));
    // One transaction for all of them: the notes land all over the listing's key, and one commit
    // writes each page of it once, where one commit a statement would write it again each time.
    return this.db.transaction(async (session) => {
      const fresh: string[] = [];
      for (let start = 0; start < tenantIds.length; start += perInsert) {
        const chunk = tenantIds.slice(start, start + perInsert);
        const rows = await session.all(
          this.sql.noteListed(chunk.length),
          chunk.flatMap((tenantId) => [listingId, tenantId, now]),
        );
        for (const row of rows) fresh.push(row.tenantId as string);
      }
      return fresh;
    });
  }

  /**
   * Up to `limit` customer ids of the partner's directory that the listing `listingId` has not
   * listed, in order, after `after` (a page of them: a directory of any size is read a page at a
   * time).
   */
  async unlisted(
    partnerTenantId: string,
    listingId: string,
    after: string,
    limit: number,
  ): Promise<string[]> {
    const rows = await this.db.all(this.sql.unlisted, [partnerTenantId, after, listingId, limit]);
    return rows.map((row) => row.id as string);
  }

  /** The listing's customers go, and those of listings older than `staleBefore` that never ended. */
  async forgetListing(listingId: string, staleBefore: number): Promise<void> {
    await this.db.run(this.sql.forgetListing, [listingId, staleBefore]);
  }

  /** When the next refresh of any directory is due (epoch ms), if one is. */
  async earliestDue(): Promise<number | undefined> {
    const row = await this.db.get(this.sql.earliest, []);
    return numberOrNull(row?.dueAt) ?? undefined;
  }

  private claimedFrom(row: SqlRow): ClaimedRefresh {
    const partnerTenantId = row.partnerTenantId as string;
    const open = (sealed: unknown) =>
      typeof sealed === 'string'
        ? this.cipher.decrypt(sealed, boundTo(partnerTenantId))
        : undefined;
    return {
      partnerTenantId,
      generation: Number(row.generation),
      requestedBy: (row.requestedBy as string | null) ?? null,
      credentials: {
        dapAccessToken: open(row.dapAccessToken),
        refreshToken: open(row.refreshToken),
      },
      sealedRefreshToken: (row.refreshToken as string | null) ?? null,
      dueByItself: row.requestedBy === null || row.requestedBy === undefined,
    };
  }
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** The directories' SQL, the same on both databases but for the claim's row locks. */
function directorySql(skipLocked: string) {
  return {
    request: `INSERT INTO ${TABLE} ("partnerTenantId", "generation", "dueAt", "requestedBy", "dapAccessToken", "refreshToken") VALUES (?, 1, ?, ?, ?, ?) ON CONFLICT ("partnerTenantId") DO UPDATE SET "generation" = ${TABLE}."generation" + 1, "dueAt" = excluded."dueAt", "requestedBy" = excluded."requestedBy", "dapAccessToken" = excluded."dapAccessToken", "refreshToken" = COALESCE(excluded."refreshToken", ${TABLE}."refreshToken")`,
    claimDue: `UPDATE ${TABLE} SET "leaseOwner" = ?, "leaseUntil" = ? WHERE "partnerTenantId" IN (SELECT "partnerTenantId" FROM ${TABLE} WHERE "dueAt" IS NOT NULL AND "dueAt" <= ? AND ("leaseUntil" IS NULL OR "leaseUntil" < ?) ORDER BY "dueAt" LIMIT ?${skipLocked}) RETURNING *`,
    finish: `UPDATE ${TABLE} SET "dueAt" = CASE WHEN "generation" = ? THEN ? ELSE "dueAt" END, "dapAccessToken" = CASE WHEN "generation" = ? THEN NULL ELSE "dapAccessToken" END, "requestedBy" = CASE WHEN "generation" = ? THEN NULL ELSE "requestedBy" END, "refreshToken" = CASE WHEN "refreshToken" = ? THEN (CASE WHEN ? = 1 THEN NULL ELSE COALESCE(?, "refreshToken") END) ELSE "refreshToken" END, "lastRefreshAt" = ?, "lastError" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "partnerTenantId" = ? AND "leaseOwner" = ?`,
    state: `SELECT "dueAt", "refreshToken", "lastRefreshAt", "lastError" FROM ${TABLE} WHERE "partnerTenantId" = ?`,
    noteListed: (count: number) =>
      `INSERT INTO ${LISTED} ("listingId", "tenantId", "listedAt") VALUES ${Array.from({ length: count }, () => `(${placeholders(3)})`).join(', ')} ON CONFLICT DO NOTHING RETURNING "tenantId"`,
    unlisted: `SELECT t."id" FROM "tenants" t WHERE t."partnerTenantId" = ? AND t."id" > ? AND NOT EXISTS (SELECT 1 FROM ${LISTED} l WHERE l."listingId" = ? AND l."tenantId" = t."id") ORDER BY t."id" LIMIT ?`,
    forgetListing: `DELETE FROM ${LISTED} WHERE "listingId" = ? OR "listedAt" < ?`,
    earliest: `SELECT MIN("dueAt") AS "dueAt" FROM ${TABLE} WHERE "dueAt" IS NOT NULL`,
  };
}
