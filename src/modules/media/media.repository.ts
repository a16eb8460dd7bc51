import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { MediaRow } from './media.mapper.js';
import { prepared } from '../../shared/database/prepared-statements.js';

const COLUMNS = `id, created_at, updated_at, uuid, store, filename, content_type, content_id, model_id, model_type, disposition, size, meta`;

export interface MediaOwner {
  modelType: string;
  modelId: number;
}

export interface NewMediaRow {
  uuid: string;
  store: 'fs' | 's3';
  filename: string;
  contentType: string;
  modelType: string | null;
  modelId: number | null;
  disposition: 'inline' | 'attachment' | null;
  size: number;
  meta: Record<string, unknown>;
}

/** Named queries over the `media` table. */
@Injectable()
export class MediaRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: NewMediaRow, manager: EntityManager = this.dataSource.manager): Promise<MediaRow> {
    const rows: MediaRow[] = await manager.query(
      `INSERT INTO media (uuid, store, filename, content_type, model_type, model_id, disposition, size, meta)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING ${COLUMNS}`,
      [row.uuid, row.store, row.filename, row.contentType, row.modelType, row.modelId, row.disposition, row.size, JSON.stringify(row.meta)],
    );
    return rows[0];
  }

  async findByUuid(uuid: string, manager: EntityManager = this.dataSource.manager): Promise<MediaRow | null> {
    const rows: MediaRow[] = await manager.query(`SELECT ${COLUMNS} FROM media WHERE uuid = $1`, [uuid]);
    return rows[0] ?? null;
  }

  findByIds(ids: number[], manager: EntityManager = this.dataSource.manager): Promise<MediaRow[]> {
    return manager.query(`SELECT ${COLUMNS} FROM media WHERE id = ANY($1::int[]) ORDER BY id`, [ids]);
  }

  findForModels(modelType: string, modelIds: number[], manager: EntityManager = this.dataSource.manager): Promise<Array<MediaRow>> {
    return manager.query(prepared`SELECT ${COLUMNS} FROM media WHERE model_type = $1 AND model_id = ANY($2::int[]) ORDER BY model_id, filename, id`, [
      modelType,
      modelIds,
    ]);
  }

  /** Links the media that no model holds yet; media already linked elsewhere are left alone. */
  async linkUnlinked(ids: number[], modelType: string, modelId: number, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE media SET model_type = $2, model_id = $3, updated_at = now()
        WHERE id = ANY($1::int[]) AND model_id IS NULL`,
      [ids, modelType, modelId],
    );
  }

  /** Deletes the rows these models hold, in the caller's transaction; the files are the caller's to remove after commit. */
  async deleteForModels(modelType: string, modelIds: number[], manager: EntityManager): Promise<MediaRow[]> {
    const [rows]: [MediaRow[], number] = await manager.query(`DELETE FROM media WHERE model_type = $1 AND model_id = ANY($2::int[]) RETURNING ${COLUMNS}`, [
      modelType,
      modelIds,
    ]);
    return rows;
  }

  /** Deletes the row, only if it belongs to `owner` when one is given. */
  async deleteByUuid(uuid: string, owner: MediaOwner | null, manager: EntityManager = this.dataSource.manager): Promise<MediaRow | null> {
    const [rows]: [MediaRow[], number] = await manager.query(
      `DELETE FROM media WHERE uuid = $1 AND ($2::text IS NULL OR (model_type = $2 AND model_id = $3)) RETURNING ${COLUMNS}`,
      [uuid, owner?.modelType ?? null, owner?.modelId ?? null],
    );
    return rows[0] ?? null;
  }
}
