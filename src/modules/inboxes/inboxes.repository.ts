import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { InboxRow, StoredSmtpConfig } from './inboxes.mapper.js';

const COLUMNS = `id, created_at, updated_at, uuid, name, channel, enabled, csat_enabled, "from", config`;

export interface InboxColumns {
  name?: string;
  enabled?: boolean;
  csat_enabled?: boolean;
  from?: string;
}

/** Named queries over inboxes; a soft-deleted inbox is invisible to all of them. */
@Injectable()
export class InboxesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<InboxRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM inboxes WHERE deleted_at IS NULL ORDER BY id`);
  }

  async findById(id: number, m: EntityManager = this.dataSource.manager): Promise<InboxRow | null> {
    const rows: InboxRow[] = await m.query(`SELECT ${COLUMNS} FROM inboxes WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  async insert(values: Required<InboxColumns>, smtp: StoredSmtpConfig, m: EntityManager): Promise<InboxRow> {
    const rows: InboxRow[] = await m.query(
      `INSERT INTO inboxes (name, channel, enabled, csat_enabled, "from", config)
       VALUES ($1, 'email', $2, $3, $4, jsonb_build_object('smtp', $5::jsonb)) RETURNING ${COLUMNS}`,
      [values.name, values.enabled, values.csat_enabled, values.from, JSON.stringify(smtp)],
    );
    return rows[0];
  }

  /** Changes the given columns and merges `smtp` into the stored SMTP settings (a null key removes it). */
  async update(id: number, values: InboxColumns, smtp: Record<string, unknown>, m: EntityManager): Promise<InboxRow | null> {
    const params: unknown[] = [id, JSON.stringify(smtp)];
    const sets = ['updated_at = now()', `config = jsonb_set(config, '{smtp}', jsonb_strip_nulls(COALESCE(config->'smtp', '{}'::jsonb) || $2::jsonb))`];
    for (const [column, value] of Object.entries(values)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`"${column}" = $${params.length}`);
    }
    const rows: [InboxRow[], number] = await m.query(`UPDATE inboxes SET ${sets.join(', ')} WHERE id = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`, params);
    return rows[0][0] ?? null;
  }

  /** Merges `patch` into `config.imap` (a null key removes it). */
  async mergeImap(id: number, patch: Record<string, unknown>, m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE inboxes SET updated_at = now(),
              config = jsonb_set(COALESCE(config, '{}'::jsonb), '{imap}', jsonb_strip_nulls(COALESCE(config->'imap', '{}'::jsonb) || $2::jsonb))
        WHERE id = $1 AND deleted_at IS NULL`,
      [id, JSON.stringify(patch)],
    );
  }

  /** Enabled email inboxes with an IMAP host: the ones to receive for. */
  imapInboxIds(): Promise<Array<{ id: number }>> {
    return this.dataSource.query(
      `SELECT id FROM inboxes WHERE deleted_at IS NULL AND enabled AND channel = 'email' AND COALESCE(config->'imap'->>'host', '') <> '' ORDER BY id`,
    );
  }

  async softDelete(id: number, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows: [unknown[], number] = await m.query(
      `UPDATE inboxes SET deleted_at = now(), updated_at = now(), enabled = false WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id],
    );
    return rows[0].length > 0;
  }

  /** The seeded inbox is the first row ever inserted; null when it has been deleted. */
  async seededInboxId(): Promise<number | null> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM inboxes WHERE id = (SELECT min(id) FROM inboxes) AND deleted_at IS NULL AND channel = 'email'`,
    );
    return rows[0]?.id ?? null;
  }
}
