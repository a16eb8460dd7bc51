import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How long a key is remembered after its first use. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** An in-flight lock older than this belongs to a process that died; a retry may take it over. */
export const IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 5 * 60;
const SWEEP_INTERVAL_MS = 10 * 60_000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotentRequest {
  userId: number;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

/** A lock this request holds on its key; `token` proves ownership to `complete` and `release`. */
export interface IdempotencyLock {
  id: string;
  token: string;
}

export type AcquireResult =
  { kind: 'acquired'; lock: IdempotencyLock } | { kind: 'replay'; response: StoredResponse } | { kind: 'in-flight' } | { kind: 'mismatch' };

interface KeyRow {
  fingerprint: string;
  state: 'in_flight' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
}

/**
 * Idempotency keys in `idempotency_keys`, scoped per agent. The first request inserts its row as a
 * lock in a statement of its own (committed at once, so concurrent duplicates see it), and the row
 * receives the response when the work ends. Expired keys, and locks left by a dead process, are
 * taken over by the next request that uses the key.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private sweeper?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  async acquire(req: IdempotentRequest): Promise<AcquireResult> {
    // A row that vanishes between the two statements (released, swept) is simply tried again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      const inserted: Array<{ id: string }> = await this.dataSource.query(
        `INSERT INTO idempotency_keys AS k (user_id, key, fingerprint, method, path, lock_token, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
         ON CONFLICT (user_id, key) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, method = EXCLUDED.method, path = EXCLUDED.path, state = 'in_flight',
           lock_token = EXCLUDED.lock_token, locked_at = now(), created_at = now(), completed_at = NULL,
           response_status = NULL, response_headers = NULL, response_body = NULL, expires_at = EXCLUDED.expires_at
         WHERE k.expires_at <= now()
            OR (k.state = 'in_flight' AND k.fingerprint = EXCLUDED.fingerprint AND k.locked_at < now() - make_interval(secs => $8))
         RETURNING k.id::text AS id`,
        [req.userId, req.key, req.fingerprint, req.method, req.path, token, IDEMPOTENCY_TTL_SECONDS, IDEMPOTENCY_LOCK_TIMEOUT_SECONDS],
      );
      if (inserted.length) return { kind: 'acquired', lock: { id: inserted[0].id, token } };

      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT fingerprint, state, response_status, response_headers, response_body
           FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        [req.userId, req.key],
      );
      const row = rows[0];
      if (!row) continue;
      if (row.fingerprint !== req.fingerprint) return { kind: 'mismatch' };
      if (row.state === 'in_flight' || row.response_status === null) return { kind: 'in-flight' };
      return { kind: 'replay', response: { status: row.response_status, headers: row.response_headers ?? {}, body: row.response_body ?? '' } };
    }
    return { kind: 'in-flight' };
  }

  /** Records the response the key replays from now on; false when the lock was lost meanwhile. */
  async complete(lock: IdempotencyLock, response: StoredResponse): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH done AS (
         UPDATE idempotency_keys
            SET state = 'completed', response_status = $3, response_headers = $4::jsonb, response_body = $5, completed_at = now()
          WHERE id = $1 AND lock_token = $2 AND state = 'in_flight'
         RETURNING id)
       SELECT id::text AS id FROM done`,
      [lock.id, lock.token, response.status, JSON.stringify(response.headers), response.body],
    );
    return rows.length > 0;
  }

  /** Gives the key up (the work failed with a 5xx or never answered), so the client can retry. */
  async release(lock: IdempotencyLock): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE id = $1 AND lock_token = $2 AND state = 'in_flight'`, [lock.id, lock.token]);
  }

  /** Deletes expired keys; returns how many. */
  async sweep(): Promise<number> {
    try {
      const rows: Array<{ n: number }> = await this.dataSource.query(
        `WITH gone AS (DELETE FROM idempotency_keys WHERE expires_at < now() RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      );
      return rows[0].n;
    } catch (err) {
      this.logger.warn(`Sweeping expired idempotency keys failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
