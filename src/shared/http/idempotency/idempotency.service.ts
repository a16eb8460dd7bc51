import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';

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

  constructor(private readonly keys: IdempotencyKeysRepository) {}

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
      const id = await this.keys.tryLock({ ...req, lockToken: token }, IDEMPOTENCY_TTL_SECONDS, IDEMPOTENCY_LOCK_TIMEOUT_SECONDS);
      if (id) return { kind: 'acquired', lock: { id, token } };

      const row = await this.keys.find(req.userId, req.key);
      if (!row) continue;
      if (row.fingerprint !== req.fingerprint) return { kind: 'mismatch' };
      if (row.state === 'in_flight' || row.responseStatus === null) return { kind: 'in-flight' };
      return { kind: 'replay', response: { status: row.responseStatus, headers: row.responseHeaders ?? {}, body: row.responseBody ?? '' } };
    }
    return { kind: 'in-flight' };
  }

  /** Records the response the key replays from now on; false when the lock was lost meanwhile. */
  async complete(lock: IdempotencyLock, response: StoredResponse): Promise<boolean> {
    return this.keys.complete(lock.id, lock.token, { responseStatus: response.status, responseHeaders: response.headers, responseBody: response.body });
  }

  /** Gives the key up (the work failed with a 5xx or never answered), so the client can retry. */
  async release(lock: IdempotencyLock): Promise<void> {
    await this.keys.release(lock.id, lock.token);
  }

  /** Deletes expired keys; returns how many. */
  async sweep(): Promise<number> {
    try {
      return await this.keys.deleteExpired();
    } catch (err) {
      this.logger.warn(`Sweeping expired idempotency keys failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
