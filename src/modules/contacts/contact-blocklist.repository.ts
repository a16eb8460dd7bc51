import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Named query over blocked (disabled) contacts. */
@Injectable()
export class ContactBlocklistRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async isBlocked(email: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM users WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND NOT enabled AND lower(email) = lower($1) LIMIT 1`,
      [email],
    );
    return rows.length > 0;
  }
}
