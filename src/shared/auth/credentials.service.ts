import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { constantTimeEqual, sha256, verifySecret } from './api-key.js';
import { DatabaseNotifications } from '../database/notifications.js';
import type { Principal } from './principal.js';
import { prepared } from '../database/prepared-statements.js';

interface PrincipalRow {
  id: number;
  email: string | null;
  first_name: string;
  last_name: string;
  api_secret: string | null;
  roles: string[];
  permissions: string[];
  team_ids: number[];
}

/** The agent behind an API key, with roles, permissions and teams: one indexed lookup per request. */
export const PRINCIPAL_SQL = prepared`SELECT u.id, u.email, u.first_name, u.last_name, u.api_secret,
       COALESCE((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                 WHERE ur.user_id = u.id), '{}') AS roles,
       COALESCE((SELECT array_agg(DISTINCT perm ORDER BY perm) FROM user_roles ur JOIN roles r ON r.id = ur.role_id,
                 unnest(r.permissions) AS perm WHERE ur.user_id = u.id), '{}') AS permissions,
       COALESCE((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS team_ids
  FROM users u
 WHERE u.api_key = $1 AND u.type = 'agent' AND u.enabled AND u.deleted_at IS NULL`;

/** How often `api_key_last_used_at` is written for one key, at most. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** Cached principals are re-read at least this often, even if a notification was lost. */
const PRINCIPAL_TTL_MS = 30_000;
export const AUTH_CHANNEL = 'libredesk_auth';

interface CachedPrincipal {
  principal: Principal;
  digest: Buffer;
}

/**
 * Checks `key:secret` pairs without a slow hash or a database read on the hot path. A verified
 * principal is cached per key (with a digest of the secret, compared in constant time) while the
 * database's `libredesk_auth` notifications are being received: the triggers of migration
 * AuthChangeNotify send one for every change to a user's key, status, roles or teams, on whichever
 * instance made it, and the entry is dropped. Without a live listener nothing is cached and every
 * request reads the agent row. The scrypt verification is cached separately by stored hash, so a new
 * key pair retires it.
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);
  private readonly verified = new LRUCache<string, { storedHash: string; digest: Buffer }>({ max: 10_000, ttl: 10 * 60_000 });
  private readonly principals = new LRUCache<string, CachedPrincipal>({ max: 10_000, ttl: PRINCIPAL_TTL_MS });
  private readonly lastUsedWrites = new LRUCache<number, number>({ max: 10_000 });
  /** scrypt verifications in flight, by key, stored hash and digest of the presented secret. */
  private readonly verifying = new Map<string, Promise<boolean>>();
  /** Bumped by every invalidation, so a read that raced with one is not cached. */
  private generation = 0;
  private readonly changeListeners: Array<(userId: number | '*') => void> = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: DatabaseNotifications,
  ) {
    notifications.subscribe(
      AUTH_CHANNEL,
      (payload) => this.invalidate(payload),
      () => this.invalidate('*'),
    );
  }

  /**
   * Whether state derived from agents may be kept in memory: true while every change to an agent
   * (on any instance, or in SQL) reaches this process as a notification.
   */
  get cachingAllowed(): boolean {
    return this.notifications.isLive;
  }

  /**
   * Calls `listener` whenever an agent's row, roles or teams may have changed (a user id, or `*` for
   * any agent), from this instance or another. Caches of agent state drop what they hold for it.
   */
  onAgentChange(listener: (userId: number | '*') => void): void {
    this.changeListeners.push(listener);
  }

  async authenticate(apiKey: string, apiSecret: string): Promise<Principal | null> {
    if (!apiKey || !apiSecret || apiKey.length > 256 || apiSecret.length > 256) return null;
    const digest = sha256(apiSecret);
    const cached = this.notifications.isLive ? this.principals.get(apiKey) : undefined;
    if (cached) {
      if (!constantTimeEqual(cached.digest, digest)) return null;
      this.touchLastUsed(cached.principal.id);
      return cached.principal;
    }
    const generation = this.generation;
    const rows: PrincipalRow[] = await this.dataSource.query(PRINCIPAL_SQL, [apiKey]);
    const row = rows[0];
    if (!row?.api_secret || !(await this.secretMatches(apiKey, apiSecret, digest, row.api_secret))) return null;
    this.touchLastUsed(row.id);
    const principal: Principal = {
      id: row.id,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      roles: row.roles,
      permissions: new Set(row.permissions),
      teamIds: row.team_ids.map(Number),
    };
    if (this.notifications.isLive && generation === this.generation) this.principals.set(apiKey, { principal, digest });
    return principal;
  }

  /** Drops what is cached for a key (it was generated or revoked on this instance). */
  forget(apiKey?: string | null): void {
    this.generation += 1;
    if (!apiKey) return;
    this.verified.delete(apiKey);
    this.principals.delete(apiKey);
  }

  /** A user's roles, teams or status changed on this instance: their next request reads them again. */
  forgetUser(userId: number | '*'): void {
    this.invalidate(String(userId));
  }

  /** A `libredesk_auth` notification: a user id, or `*` for anything that may affect everyone. */
  private invalidate(payload: string): void {
    this.generation += 1;
    const userId = /^\d+$/.test(payload) ? Number(payload) : '*';
    if (userId === '*') this.principals.clear();
    else for (const [key, entry] of this.principals.entries()) if (entry.principal.id === userId) this.principals.delete(key);
    for (const listener of this.changeListeners) listener(userId);
  }

  private async secretMatches(apiKey: string, secret: string, digest: Buffer, storedHash: string): Promise<boolean> {
    const cached = this.verified.get(apiKey);
    if (cached && cached.storedHash === storedHash) return constantTimeEqual(cached.digest, digest);
    // Requests arriving together with a new key share one scrypt run (16 MB and tens of ms each).
    const flight = `${apiKey}:${storedHash}:${digest.toString('base64')}`;
    let verifying = this.verifying.get(flight);
    if (!verifying) {
      verifying = verifySecret(secret, storedHash).finally(() => this.verifying.delete(flight));
      this.verifying.set(flight, verifying);
    }
    if (!(await verifying)) return false;
    this.verified.set(apiKey, { storedHash, digest });
    return true;
  }

  private touchLastUsed(userId: number): void {
    const now = Date.now();
    const last = this.lastUsedWrites.get(userId);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(userId, now);
    this.dataSource
      .query(`UPDATE users SET api_key_last_used_at = now() WHERE id = $1`, [userId])
      .then(() => this.invalidate(String(userId)))
      .catch((err: Error) => this.logger.warn(`could not record api_key_last_used_at for user ${userId}: ${err.message}`));
  }

  /** Forget the write throttle for a user whose key was just replaced, so the next use is recorded. */
  resetLastUsed(userId: number): void {
    this.lastUsedWrites.delete(userId);
  }
}
