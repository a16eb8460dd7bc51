import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { EmailOutboxEntity } from './entities/email-outbox.entity.js';
import { prepared } from '../../shared/database/prepared-statements.js';

/** A claimed outbox entry; `attempts` already counts this attempt. */
export type ClaimedEntry = Pick<EmailOutboxEntity, 'id' | 'messageId' | 'attempts' | 'maxAttempts'> & { leaseToken: string };

/**
 * Takes up to $1 due entries and leases them for $2 seconds to token $3 in one committed statement.
 * SKIP LOCKED lets concurrent workers pass over rows another one is claiming; the lease keeps a
 * claimed row away from them after that commit, until it expires (the claimer crashed).
 */
export const CLAIM_OUTBOX_SQL = prepared`
  WITH claimed AS (
    UPDATE email_outbox o
       SET locked_until = now() + make_interval(secs => $2), lease_token = $3, attempts = o.attempts + 1, updated_at = now()
      FROM (SELECT id FROM email_outbox
             WHERE state = 'queued' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
             ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due
     WHERE o.id = due.id
     RETURNING o.id, o.message_id AS "messageId", o.attempts, o.max_attempts AS "maxAttempts", o.lease_token AS "leaseToken")
  SELECT * FROM claimed ORDER BY id`;

const RE_ARM = `UPDATE SET state = 'queued', attempts = 0, max_attempts = EXCLUDED.max_attempts, next_attempt_at = now(),
                locked_until = NULL, lease_token = NULL, last_error = NULL, sent_at = NULL, updated_at = now()`;

/** `email_outbox`: queueing, claims under a lease, and the outcome of each attempt. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectRepository(EmailOutboxEntity) private readonly outbox: Repository<EmailOutboxEntity>) {}

  /** Adds the entry, or with `reset` re-arms an existing one as new (attempts back to 0). */
  async arm(manager: EntityManager, messageId: number, maxAttempts: number, reset: boolean): Promise<void> {
    await manager.query(`INSERT INTO email_outbox (message_id, max_attempts) VALUES ($1, $2) ON CONFLICT (message_id) DO ${reset ? RE_ARM : 'NOTHING'}`, [
      messageId,
      maxAttempts,
    ]);
  }

  /** See CLAIM_OUTBOX_SQL. */
  claim(limit: number, leaseSeconds: number, token: string): Promise<ClaimedEntry[]> {
    return this.outbox.query<ClaimedEntry[]>(CLAIM_OUTBOX_SQL, [limit, leaseSeconds, token]);
  }

  /** Marks the entry sent unless it is settled already (another worker got there after our lease ran out). */
  async markSent(manager: EntityManager, entryId: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(EmailOutboxEntity)
      .set({ state: 'sent', sentAt: () => 'now()', lockedUntil: null, lastError: null })
      .where({ id: entryId, state: 'queued' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Records a failed attempt while we still hold the lease: retry after `retryInMs`, or give up (`final`). */
  async markAttemptFailed(manager: EntityManager, entry: ClaimedEntry, error: string, final: boolean, retryInMs: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(EmailOutboxEntity)
      .set({
        state: final ? 'failed' : 'queued',
        lastError: error.slice(0, 2000),
        lockedUntil: null,
        leaseToken: null,
        nextAttemptAt: () => 'now() + make_interval(secs => :retrySeconds)',
      })
      .where({ id: entry.id, leaseToken: entry.leaseToken, state: 'queued' })
      .setParameter('retrySeconds', retryInMs / 1000)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The bounce reason on the message (`meta.delivery_error`) and its outbox entry, which stops any further attempt. */
  async recordBounce(manager: EntityManager, messageId: number, reason: string): Promise<void> {
    await manager.query(`UPDATE conversation_messages SET meta = meta || jsonb_build_object('delivery_error', $2::text) WHERE id = $1`, [messageId, reason]);
    await manager.query(
      `UPDATE email_outbox SET state = 'failed', last_error = $2, locked_until = NULL, lease_token = NULL, updated_at = now() WHERE message_id = $1`,
      [messageId, reason],
    );
  }

  /** Gives the claim back without counting it, to be tried again later (nothing to send with yet). */
  async defer(entry: ClaimedEntry, reason: string, retryInMs: number): Promise<void> {
    await this.outbox
      .createQueryBuilder()
      .update()
      .set({
        attempts: () => 'GREATEST(attempts - 1, 0)',
        lastError: reason,
        lockedUntil: null,
        leaseToken: null,
        nextAttemptAt: () => 'now() + make_interval(secs => :retrySeconds)',
      })
      .where({ id: entry.id, leaseToken: entry.leaseToken, state: 'queued' })
      .setParameter('retrySeconds', retryInMs / 1000)
      .execute();
  }

  /** For metrics: emails waiting to be sent, and how long the oldest has waited. */
  async backlog(): Promise<{ pending: number; oldest_age_seconds: number }> {
    const rows: Array<{ pending: number; oldest_age_seconds: number | null }> = await this.outbox.query(
      `SELECT count(*)::int AS pending, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest_age_seconds
         FROM email_outbox WHERE state = 'queued'`,
    );
    return { pending: rows[0]?.pending ?? 0, oldest_age_seconds: rows[0]?.oldest_age_seconds ?? 0 };
  }
}
