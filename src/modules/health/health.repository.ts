import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The statement behind `GET /health` (a named constant, so it can be prepared). */
export const PING_SQL = 'SELECT 1';

@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Resolves when the database answers a trivial statement. */
  async ping(): Promise<void> {
    await this.dataSource.query(PING_SQL);
  }

  /** Whether a migration this build knows is not applied yet, and how many it knows. */
  async migrationState(): Promise<{ pending: boolean; known: number }> {
    return { pending: await this.dataSource.showMigrations(), known: this.dataSource.migrations.length };
  }
}
