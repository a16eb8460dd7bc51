import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { constantTimeEqual, sha256, verifySecret } from './api-key.js';
import type { Principal } from './principal.js';

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
export const PRINCIPAL_SQL = `SELECT u.id, u.email, u.first_name, u.last_name, u.api_secret,
       COALESCE((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                 WHERE ur.user_id = u.id), '{}') AS roles,
       COALESCE((SELECT array_agg(DISTINCT perm ORDER BY perm) FROM user_roles ur JOIN roles r ON r.id = ur.role_id,
                 unnest(r.permissions) AS perm WHERE ur.user_id = u.id), '{}') AS permissions,
       COALESCE((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS team_ids
  FROM users u
 WHERE u.api_key = $1 AND u.type = 'agent' AND u.enabled AND u.deleted_at IS NULL`;

/** How often `api_key_last_used_at` is written for one key, at most. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/**
 * Checks `key:secret` pairs. The agent row is read on every request, so a revoked key, a disabled or
 * deleted agent, or a role change takes effect at once. Only the slow scrypt check is cached: a
 * verified (stored hash, secret digest) pair is remembered, and any new key pair changes the stored
 * hash, which retires the entry.
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);
  private readonly verified = new LRUCache<string, { storedHash: string; digest: Buffer }>({ max: 10_000, ttl: 10 * 60_000 });
  private readonly lastUsedWrites = new LRUCache<number, number>({ max: 10_000 });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async authenticate(apiKey: string, apiSecret: string): Promise<Principal | null> {
    if (!apiKey || !apiSecret || apiKey.length > 256 || apiSecret.length > 256) return null;
    const rows: PrincipalRow[] = await this.dataSource.query(
      PRINCIPAL_SQL,
      [apiKey],
    );
    const row = rows[0];
    if (!row?.api_secret || !(await this.secretMatches(apiKey, apiSecret, row.api_secret))) return null;
    this.touchLastUsed(row.id);
    return {
      id: row.id,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      roles: row.roles,
      permissions: new Set(row.permissions),
      teamIds: row.team_ids.map(Number),
    };
  }

  /** Drops every cached verification (a key was generated or revoked). */
  forget(apiKey?: string | null): void {
    if (apiKey) this.verified.delete(apiKey);
  }

  private async secretMatches(apiKey: string, secret: string, storedHash: string): Promise<boolean> {
    const digest = sha256(secret);
    const cached = this.verified.get(apiKey);
    if (cached && cached.storedHash === storedHash) return constantTimeEqual(cached.digest, digest);
    if (!(await verifySecret(secret, storedHash))) return false;
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
      .catch((err: Error) => this.logger.warn(`could not record api_key_last_used_at for user ${userId}: ${err.message}`));
  }

  /** Forget the write throttle for a user whose key was just replaced, so the next use is recorded. */
  resetLastUsed(userId: number): void {
    this.lastUsedWrites.delete(userId);
  }
}
