import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface WebhookRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  name: string;
  url: string;
  events: string[];
  /** Encrypted at rest (WebhookSecretBox). */
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
}

export interface WebhookColumns {
  name?: string;
  url?: string;
  events?: string[];
  secret?: string;
  enabled?: boolean;
}

const COLUMNS = 'id, created_at, updated_at, name, url, events, secret, enabled, disabled_reason';

/** Named queries over `webhooks`. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<WebhookRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM webhooks ORDER BY id`);
  }

  async findById(id: number, m: EntityManager = this.dataSource.manager): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await m.query(`SELECT ${COLUMNS} FROM webhooks WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** A new webhook receives the events committed after it was created, not the history before. */
  async insert(values: Required<WebhookColumns>): Promise<WebhookRow> {
    const rows: WebhookRow[] = await this.dataSource.query(
      `INSERT INTO webhooks (name, url, events, secret, enabled, fanout_cursor)
       VALUES ($1, $2, $3::text[], $4, $5, (SELECT COALESCE(max(id), 0) FROM events)) RETURNING ${COLUMNS}`,
      [values.name, values.url, values.events, values.secret, values.enabled],
    );
    return rows[0];
  }

  /**
   * Changes the given columns. Enabling a webhook clears its failure streak and reason; events recorded
   * while it was disabled are then delivered, since its fan-out cursor did not move meanwhile.
   */
  async update(id: number, values: WebhookColumns): Promise<WebhookRow | null> {
    const params: unknown[] = [id];
    const sets = ['updated_at = now()'];
    for (const [column, value] of Object.entries(values)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}${column === 'events' ? '::text[]' : ''}`);
    }
    if (values.enabled !== undefined) sets.push('disabled_reason = NULL');
    if (values.enabled === true) sets.push('consecutive_failures = CASE WHEN enabled THEN consecutive_failures ELSE 0 END');
    const [rows]: [WebhookRow[], number] = await this.dataSource.query(`UPDATE webhooks SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, params);
    return rows[0] ?? null;
  }

  async remove(id: number): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(`DELETE FROM webhooks WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  /** Counts a finally failed delivery; disables the webhook once `threshold` fail in a row. True when it just got disabled. */
  async recordFinalFailure(m: EntityManager, id: number, threshold: number, lastError: string): Promise<boolean> {
    const [rows]: [Array<{ disabled: boolean }>, number] = await m.query(
      `UPDATE webhooks w
          SET consecutive_failures = w.consecutive_failures + 1,
              enabled = w.enabled AND w.consecutive_failures + 1 < $2,
              disabled_reason = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= $2
                                     THEN format('Disabled after %s deliveries in a row failed; last error: %s', w.consecutive_failures + 1, $3::text)
                                     ELSE w.disabled_reason END,
              updated_at = now()
        WHERE w.id = $1
        RETURNING NOT w.enabled AND w.consecutive_failures = $2 AS disabled`,
      [id, threshold, lastError.slice(0, 500)],
    );
    return rows[0]?.disabled ?? false;
  }

  async resetFailureStreak(m: EntityManager, id: number): Promise<void> {
    await m.query(`UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`, [id]);
  }
}
