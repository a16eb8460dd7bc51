import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed'];

export interface DeliveryRow {
  id: string | number;
  event_id: string | number;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
  next_attempt_at: Date;
  completed_at: Date | null;
}

/** A claimed delivery with what it takes to send it; `attempts` already counts this attempt. */
export interface ClaimedDelivery {
  id: string;
  webhook_id: number;
  event_id: string;
  attempts: number;
  lease_token: string;
  url: string;
  secret: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

const COLUMNS = `id, event_id, event_type, status, attempts, response_status, last_error, created_at, updated_at,
                 last_attempt_at, next_attempt_at, completed_at`;

/** Named queries over `webhook_deliveries`: fan-out from the event log, claims under a lease, outcomes, the log. */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Adds a pending delivery per enabled webhook for each matching event after its fan-out cursor, and
   * moves the cursor past everything examined. Event ids are given after commit, in runs that become
   * visible in order (migration EventSequencer1765000000000; the worker numbers what has committed
   * first), so `id > cursor` never passes over an event that commits late. A webhook another instance
   * is fanning out is skipped; the unique (webhook, event) pair makes a repeat harmless.
   */
  async fanOut(batch: number): Promise<number> {
    const rows: Array<{ added: number }> = await this.dataSource.query(
      `WITH hooks AS (
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
       SELECT (SELECT count(*)::int FROM added) AS added, (SELECT count(*)::int FROM moved) AS moved`,
      [batch],
    );
    return rows[0]?.added ?? 0;
  }

  /**
   * Leases up to `limit` due deliveries, at most one per webhook and only the oldest pending one of
   * each, so a webhook never gets event N+1 before N succeeded or finally failed. SKIP LOCKED and the
   * lease keep other instances off a claimed delivery; when a lease expires (the claimer crashed),
   * the delivery is due again.
   */
  async claim(limit: number, leaseSeconds: number, token: string): Promise<ClaimedDelivery[]> {
    const [rows]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `WITH due AS (
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
        RETURNING d.id::text, d.webhook_id, d.event_id::text, d.attempts, d.lease_token, w.url, w.secret, e.type, e.payload, e.created_at`,
      [limit, leaseSeconds, token],
    );
    return rows;
  }

  /** Settles a delivery we still hold the lease on; false when the lease was lost (another worker took over). */
  async settle(
    m: EntityManager,
    d: ClaimedDelivery,
    outcome: { status: DeliveryStatus; responseStatus: number | null; error: string | null; retryInMs?: number },
  ): Promise<boolean> {
    const [rows]: [unknown[], number] = await m.query(
      `UPDATE webhook_deliveries
          SET status = $3, response_status = $4, last_error = $5, locked_until = NULL, lease_token = NULL,
              next_attempt_at = now() + make_interval(secs => $6),
              completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END, updated_at = now()
        WHERE id = $1 AND lease_token = $2 AND status = 'pending' RETURNING id`,
      [d.id, d.lease_token, outcome.status, outcome.responseStatus, outcome.error?.slice(0, 2000) ?? null, (outcome.retryInMs ?? 0) / 1000],
    );
    return rows.length > 0;
  }

  async page(webhookId: number, status: DeliveryStatus | undefined, limit: number, offset: number): Promise<{ rows: DeliveryRow[]; total: number }> {
    const filter = status ? 'AND status = $2' : '';
    const params: unknown[] = status ? [webhookId, status] : [webhookId];
    const [rows, count] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ${filter}
          ORDER BY event_id DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        params,
      ) as Promise<DeliveryRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM webhook_deliveries WHERE webhook_id = $1 ${filter}`, params) as Promise<
        Array<{ total: number }>
      >,
    ]);
    return { rows, total: count[0].total };
  }

  async find(webhookId: number, deliveryId: number): Promise<(DeliveryRow & { in_flight: boolean }) | null> {
    const rows: Array<DeliveryRow & { in_flight: boolean }> = await this.dataSource.query(
      `SELECT ${COLUMNS}, (status = 'pending' AND locked_until > now()) AS in_flight
         FROM webhook_deliveries WHERE webhook_id = $1 AND id = $2`,
      [webhookId, deliveryId],
    );
    return rows[0] ?? null;
  }

  /** Queues a delivery again from scratch, unless an attempt is in flight right now. */
  async requeue(webhookId: number, deliveryId: number): Promise<DeliveryRow | null> {
    const [rows]: [DeliveryRow[], number] = await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, lease_token = NULL,
              completed_at = NULL, updated_at = now()
        WHERE webhook_id = $1 AND id = $2 AND NOT (status = 'pending' AND locked_until IS NOT NULL AND locked_until > now())
        RETURNING ${COLUMNS}`,
      [webhookId, deliveryId],
    );
    return rows[0] ?? null;
  }

  /** For metrics: deliveries still to be made, and deliveries that finally failed. */
  async backlog(): Promise<{ pending: number; failed: number }> {
    const rows: Array<{ pending: number; failed: number }> = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM webhook_deliveries`,
    );
    return { pending: rows[0]?.pending ?? 0, failed: rows[0]?.failed ?? 0 };
  }

  /** Deletes up to `batch` deliveries that finished before `cutoff`, skipping any row someone holds; resolves to how many. */
  async pruneFinishedBefore(cutoff: Date, batch: number): Promise<number> {
    const [rows]: [Array<{ id: string }>, number] = await this.dataSource.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND completed_at < $1
          ORDER BY completed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [cutoff, batch],
    );
    return rows.length;
  }
}
