import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { PriorityRow, StatusCategory, StatusRow } from './statuses.mapper.js';

const STATUS_COLUMNS = 'id, created_at, name, category';

/** Named queries over conversation_statuses and conversation_priorities. */
@Injectable()
export class StatusesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listStatuses(): Promise<StatusRow[]> {
    return this.dataSource.query(`SELECT ${STATUS_COLUMNS} FROM conversation_statuses ORDER BY id`);
  }

  async findStatusById(id: number, m: EntityManager = this.dataSource.manager): Promise<StatusRow | null> {
    const rows: StatusRow[] = await m.query(`SELECT ${STATUS_COLUMNS} FROM conversation_statuses WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findStatusByName(name: string): Promise<StatusRow | null> {
    const rows: StatusRow[] = await this.dataSource.query(`SELECT ${STATUS_COLUMNS} FROM conversation_statuses WHERE name = $1`, [name]);
    return rows[0] ?? null;
  }

  /** Names are compared case-insensitively so `open` cannot sit beside `Open`. */
  async statusNameTaken(name: string, exceptId: number | null, m: EntityManager): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM conversation_statuses WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2 LIMIT 1`, [name, exceptId]);
    return rows.length > 0;
  }

  async insertStatus(name: string, category: StatusCategory, m: EntityManager): Promise<StatusRow> {
    const rows: StatusRow[] = await m.query(`INSERT INTO conversation_statuses (name, category) VALUES ($1, $2) RETURNING ${STATUS_COLUMNS}`, [name, category]);
    return rows[0];
  }

  async updateStatus(id: number, name: string, category: StatusCategory | undefined, m: EntityManager): Promise<StatusRow | null> {
    const rows: [StatusRow[], number] = await m.query(
      `UPDATE conversation_statuses SET name = $2, category = COALESCE($3, category), updated_at = now()
        WHERE id = $1 RETURNING ${STATUS_COLUMNS}`,
      [id, name, category ?? null],
    );
    return rows[0][0] ?? null;
  }

  async statusInUse(id: number, m: EntityManager): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM conversations WHERE status_id = $1 LIMIT 1`, [id]);
    return rows.length > 0;
  }

  async deleteStatus(id: number, m: EntityManager): Promise<boolean> {
    const rows: [unknown[], number] = await m.query(`DELETE FROM conversation_statuses WHERE id = $1 RETURNING id`, [id]);
    return rows[0].length > 0;
  }

  listPriorities(): Promise<PriorityRow[]> {
    return this.dataSource.query(`SELECT id, created_at, name FROM conversation_priorities ORDER BY id`);
  }

  async findPriorityByName(name: string): Promise<PriorityRow | null> {
    const rows: PriorityRow[] = await this.dataSource.query(`SELECT id, created_at, name FROM conversation_priorities WHERE name = $1`, [name]);
    return rows[0] ?? null;
  }

  async findPriorityById(id: number): Promise<PriorityRow | null> {
    const rows: PriorityRow[] = await this.dataSource.query(`SELECT id, created_at, name FROM conversation_priorities WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }
}
