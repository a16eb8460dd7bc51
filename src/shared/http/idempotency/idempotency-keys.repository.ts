import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IdempotencyKeyEntity } from '../../database/entities/idempotency-key.entity.js';

/** What a request with a known key is answered from. */
export type StoredKey = Pick<IdempotencyKeyEntity, 'fingerprint' | 'state' | 'responseStatus' | 'responseHeaders' | 'responseBody'>;

export type NewKey = Pick<IdempotencyKeyEntity, 'userId' | 'key' | 'fingerprint' | 'method' | 'path' | 'lockToken'>;

/**
 * Inserts the key as an in-flight lock, or takes over an expired key or an in-flight lock older than
 * $8 seconds with the same fingerprint; returns the row's id only when this request got the lock.
 */
export const ACQUIRE_IDEMPOTENCY_KEY_SQL = `
  INSERT INTO idempotency_keys AS k (user_id, key, fingerprint, method, path, lock_token, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
  ON CONFLICT (user_id, key) DO UPDATE SET
    fingerprint = EXCLUDED.fingerprint, method = EXCLUDED.method, path = EXCLUDED.path, state = 'in_flight',
    lock_token = EXCLUDED.lock_token, locked_at = now(), created_at = now(), completed_at = NULL,
    response_status = NULL, response_headers = NULL, response_body = NULL, expires_at = EXCLUDED.expires_at
  WHERE k.expires_at <= now()
     OR (k.state = 'in_flight' AND k.fingerprint = EXCLUDED.fingerprint AND k.locked_at < now() - make_interval(secs => $8))
  RETURNING k.id::text AS id`;

/** `idempotency_keys`: locks, stored responses, expiry. */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(@InjectRepository(IdempotencyKeyEntity) private readonly keys: Repository<IdempotencyKeyEntity>) {}

  /** The lock's row id, or null when another request holds the key or its response is still valid. */
  async tryLock(key: NewKey, ttlSeconds: number, lockTimeoutSeconds: number): Promise<string | null> {
    const rows = await this.keys.query<Array<Pick<IdempotencyKeyEntity, 'id'>>>(ACQUIRE_IDEMPOTENCY_KEY_SQL, [
      key.userId,
      key.key,
      key.fingerprint,
      key.method,
      key.path,
      key.lockToken,
      ttlSeconds,
      lockTimeoutSeconds,
    ]);
    return rows[0]?.id ?? null;
  }

  find(userId: number, key: string): Promise<StoredKey | null> {
    return this.keys.findOne({
      select: { fingerprint: true, state: true, responseStatus: true, responseHeaders: true, responseBody: true },
      where: { userId, key },
    });
  }

  /** Stores the response under a lock still held by `lockToken`; false when the lock was lost. */
  async complete(id: string, lockToken: string, response: Pick<IdempotencyKeyEntity, 'responseStatus' | 'responseHeaders' | 'responseBody'>): Promise<boolean> {
    const result = await this.keys
      .createQueryBuilder()
      .update()
      .set({ ...response, state: 'completed', completedAt: () => 'now()' })
      .where({ id, lockToken, state: 'in_flight' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async release(id: string, lockToken: string): Promise<void> {
    await this.keys.delete({ id, lockToken, state: 'in_flight' });
  }

  /** Deletes expired keys; returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.keys.createQueryBuilder().delete().where('expires_at < now()').execute();
    return result.affected ?? 0;
  }
}
