import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TeamRow } from './teams.mapper.js';

const COLUMNS = `id, created_at, updated_at, name, emoji, conversation_assignment_type, timezone, business_hours_id,
  sla_policy_id, max_auto_assigned_conversations`;

export type TeamColumns = Omit<TeamRow, 'id' | 'created_at' | 'updated_at'>;

/** Named queries over teams. */
@Injectable()
export class TeamsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<TeamRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM teams ORDER BY updated_at DESC, id DESC`);
  }

  async findById(id: number, m: EntityManager = this.dataSource.manager, lock = false): Promise<TeamRow | null> {
    const rows: TeamRow[] = await m.query(`SELECT ${COLUMNS} FROM teams WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  /** Names are compared case-insensitively, so `support` cannot sit beside `Support`. */
  async nameTaken(name: string, exceptId: number | null, m: EntityManager): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM teams WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2 LIMIT 1`, [name, exceptId]);
    return rows.length > 0;
  }

  async insert(values: TeamColumns, m: EntityManager): Promise<TeamRow> {
    const rows: TeamRow[] = await m.query(
      `INSERT INTO teams (name, emoji, conversation_assignment_type, timezone, business_hours_id, sla_policy_id, max_auto_assigned_conversations)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        values.name,
        values.emoji,
        values.conversation_assignment_type,
        values.timezone,
        values.business_hours_id,
        values.sla_policy_id,
        values.max_auto_assigned_conversations,
      ],
    );
    return rows[0];
  }

  /** Sets only the given columns. */
  async update(id: number, values: Partial<TeamColumns>, m: EntityManager): Promise<TeamRow | null> {
    const params: unknown[] = [id];
    const sets = ['updated_at = now()'];
    for (const [column, value] of Object.entries(values)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    const rows: [TeamRow[], number] = await m.query(`UPDATE teams SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, params);
    return rows[0][0] ?? null;
  }

  /**
   * Memberships cascade; conversations' assigned_team_id is set null by the foreign key. The team's
   * conversations are locked first, in the order a conversation write takes them (its row, then the
   * team through the key), so a concurrent reply or assignment waits instead of deadlocking.
   */
  /** True when the team exists; held until the transaction ends (NO KEY, so assignments are not blocked). */
  async lock(id: number, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT id FROM teams WHERE id = $1 FOR NO KEY UPDATE`, [id]);
    return rows.length > 0;
  }

  async delete(id: number, m: EntityManager): Promise<boolean> {
    await m.query(`SELECT id FROM conversations WHERE assigned_team_id = $1 ORDER BY id FOR NO KEY UPDATE`, [id]);
    const rows: [unknown[], number] = await m.query(`DELETE FROM teams WHERE id = $1 RETURNING id`, [id]);
    return rows[0].length > 0;
  }
}
