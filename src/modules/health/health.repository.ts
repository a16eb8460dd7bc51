import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { prepared } from '../../shared/database/prepared-statements.js';

/** The statement behind `GET /health`: a named statement, parsed once per connection. */
export const PING_SQL = prepared`SELECT 1`;

@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Resolves when the database answers a trivial statement. */
  async ping(): Promise<void> {
    // Straight through the driver's pool (the same pool and connections): TypeORM's query() builds a
    // query runner, its broadcaster and a result object per call, a third of this route's database
    // cost for a statement that reads nothing.
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    await (pool ? pool.query(PING_SQL) : this.dataSource.query(PING_SQL));
  }

  /** Whether a migration this build knows is not applied yet, and how many it knows. */
  async migrationState(): Promise<{ pending: boolean; known: number }> {
    return { pending: await this.dataSource.showMigrations(), known: this.dataSource.migrations.length };
  }
}
