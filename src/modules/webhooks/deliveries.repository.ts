import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { EventEntity } from '../events/entities/event.entity.js';
import { type DeliveryStatus, WebhookDeliveryEntity } from './entities/webhook-delivery.entity.js';
import type { WebhookEntity } from './entities/webhook.entity.js';

export { DELIVERY_STATUSES, type DeliveryStatus } from './entities/webhook-delivery.entity.js';

/** A claimed delivery with what it takes to send it; `attempts` already counts this attempt. */
export type ClaimedDelivery = Pick<WebhookDeliveryEntity, 'id' | 'webhookId' | 'eventId' | 'attempts'> & { leaseToken: string } & Pick<
    WebhookEntity,
    'url' | 'secret' | 'payloadFormat'
  > &
  Pick<EventEntity, 'type' | 'payload' | 'createdAt'>;

/**
 * Adds a pending delivery per enabled webhook for each matching event after its fan-out cursor, and
 * moves the cursor past everything examined. Event ids are given after commit, in runs that become
 * visible in order (migration EventSequencer1765000000000; the worker numbers what has committed
 * first), so `id > cursor` never passes over an event that commits late. A webhook another instance
 * is fanning out is skipped; the unique (webhook, event) pair makes a repeat harmless.
 */
export const FAN_OUT_SQL = `
  WITH hooks AS (
    SELECT id, events, fanout_cursor FROM webhooks WHERE enabled ORDER BY id FOR UPDATE SKIP LOCKED
  ), batch AS (
    SELECT h.id AS webhook_id, h.events, e.id AS event_id, e.type
      FROM hooks h CROSS JOIN LATERAL (
        SELECT id, type FROM events WHERE id > h.fanout_cursor ORDER BY id LIMIT $1
      ) e
  ), added AS (
    INSERT INTO webhook_deliveries (webhook_id, event_id, event_type)
    SELECT webhook_id, event_id, type FROM batch WHERE '*' = ANY(events) OR type = ANY(events)
    ON CONFLICT (webhook_id, event_id) DO NOTHING
    RETURNING 1
  ), moved AS (
    UPDATE webhooks w SET fanout_cursor = GREATEST(w.fanout_cursor, m.last_id)
      FROM (SELECT webhook_id, max(event_id) AS last_id FROM batch GROUP BY webhook_id) m
     WHERE w.id = m.webhook_id
    RETURNING 1
  )
  SELECT (SELECT count(*)::int FROM added) AS added, (SELECT count(*)::int FROM moved) AS moved`;

/**
 * Leases up to $1 due deliveries, at most one per webhook and only the oldest pending one of each, so
 * a webhook never gets event N+1 before N succeeded or finally failed. SKIP LOCKED and the lease keep
 * other instances off a claimed delivery; when a lease expires (the claimer crashed), it is due again.
 */
export const CLAIM_DELIVERIES_SQL = `
  WITH due AS (
    SELECT d.id FROM webhooks w
     CROSS JOIN LATERAL (
       SELECT id FROM webhook_deliveries WHERE webhook_id = w.id AND status = 'pending' ORDER BY event_id LIMIT 1
     ) head
      JOIN webhook_deliveries d ON d.id = head.id
     WHERE w.enabled AND d.status = 'pending' AND d.next_attempt_at <= now()
       AND (d.locked_until IS NULL OR d.locked_until <= now())
     ORDER BY d.next_attempt_at, d.id
     LIMIT $1
     FOR UPDATE OF d SKIP LOCKED
  )
  UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, locked_until = now() + make_interval(secs => $2), lease_token = $3,
         last_attempt_at = now(), updated_at = now()
    FROM due, webhooks w, events e
   WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
   RETURNING d.id::text AS id, d.webhook_id AS "webhookId", d.event_id::text AS "eventId", d.attempts, d.lease_token AS "leaseToken",
             w.url, w.secret, w.payload_format AS "payloadFormat", e.type, e.payload, e.created_at AS "createdAt"`;

export interface DeliveryOutcome {
  status: DeliveryStatus;
  responseStatus: number | null;
  error: string | null;
  retryInMs?: number;
}

/** `webhook_deliveries`: fan-out from the event log, claims under a lease, outcomes, the log. */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>) {}

  /** See FAN_OUT_SQL; resolves to how many deliveries it added. */
  async fanOut(batch: number): Promise<number> {
    const rows = await this.deliveries.query<Array<{ added: number }>>(FAN_OUT_SQL, [batch]);
    return rows[0]?.added ?? 0;
  }

  /** See CLAIM_DELIVERIES_SQL. */
  async claim(limit: number, leaseSeconds: number, token: string): Promise<ClaimedDelivery[]> {
    const [rows] = await this.deliveries.query<[ClaimedDelivery[], number]>(CLAIM_DELIVERIES_SQL, [limit, leaseSeconds, token]);
    return rows;
  }

  /** Settles a delivery we still hold the lease on; false when the lease was lost (another worker took over). */
  async settle(m: EntityManager, d: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean> {
    const result = await m
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({
        status: outcome.status,
        responseStatus: outcome.responseStatus,
        lastError: outcome.error?.slice(0, 2000) ?? null,
        lockedUntil: null,
        leaseToken: null,
        nextAttemptAt: () => 'now() + make_interval(secs => :retrySeconds)',
        completedAt: outcome.status === 'pending' ? null : () => 'now()',
      })
      .where('id = :id AND lease_token = :token AND status = :pending', { id: d.id, token: d.leaseToken, pending: 'pending' })
      .setParameter('retrySeconds', (outcome.retryInMs ?? 0) / 1000)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** A page of a webhook's log, newest event first, and the total. */
  page(webhookId: number, status: DeliveryStatus | undefined, limit: number, offset: number): Promise<[WebhookDeliveryEntity[], number]> {
    return this.deliveries.findAndCount({
      where: status ? { webhookId, status } : { webhookId },
      order: { eventId: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  /** The delivery and whether an attempt holds its lease right now (by the database clock). */
  async find(webhookId: number, deliveryId: number): Promise<{ delivery: WebhookDeliveryEntity; inFlight: boolean } | null> {
    const { entities, raw } = await this.deliveries
      .createQueryBuilder('d')
      .addSelect(`(d.status = 'pending' AND d.locked_until > now())`, 'in_flight')
      .where('d.webhook_id = :webhookId AND d.id = :deliveryId', { webhookId, deliveryId })
      .getRawAndEntities<{ in_flight: boolean }>();
    return entities[0] ? { delivery: entities[0], inFlight: raw[0].in_flight } : null;
  }

  /** Queues a delivery again from scratch, unless an attempt is in flight right now. */
  async requeue(webhookId: number, deliveryId: number): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.manager.transaction(async (m) => {
      const result = await m
        .createQueryBuilder()
        .update(WebhookDeliveryEntity)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lockedUntil: null, leaseToken: null, completedAt: null })
        .where('webhook_id = :webhookId AND id = :deliveryId', { webhookId, deliveryId })
        .andWhere(`NOT (status = 'pending' AND locked_until IS NOT NULL AND locked_until > now())`)
        .execute();
      return result.affected ? m.findOneBy(WebhookDeliveryEntity, { id: String(deliveryId) }) : null;
    });
  }

  /** For metrics: deliveries still to be made, and deliveries that finally failed. */
  async backlog(): Promise<{ pending: number; failed: number }> {
    const rows: Array<{ pending: number; failed: number }> = await this.deliveries.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM webhook_deliveries`,
    );
    return { pending: rows[0]?.pending ?? 0, failed: rows[0]?.failed ?? 0 };
  }

  /** Deletes up to `batch` deliveries that finished before `cutoff`, skipping any row someone holds; resolves to how many. */
  async pruneFinishedBefore(cutoff: Date, batch: number): Promise<number> {
    const [rows]: [Array<{ id: string }>, number] = await this.deliveries.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND completed_at < $1
          ORDER BY completed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [cutoff, batch],
    );
    return rows.length;
  }
}
