import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** Named queries over contacts (users of type `contact`) and their notes. */
@Injectable()
export class ContactsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts unless a live contact or visitor holds the email already. The conflict target is the
   * partial unique index `users_contact_email_key`, so concurrent calls cannot create two.
   */
  async insertIfAbsent(manager: EntityManager, email: string, firstName: string, lastName: string): Promise<number | null> {
    const rows: Array<{ id: number }> = await manager.query(
      `INSERT INTO users (type, email, first_name, last_name)
       VALUES ('contact', $1, $2, $3)
       ON CONFLICT ((lower(email))) WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NULL
       DO NOTHING RETURNING id`,
      [email, firstName, lastName],
    );
    return rows[0]?.id ?? null;
  }

  async findIdByEmail(manager: EntityManager, email: string): Promise<number | null> {
    const rows: Array<{ id: number }> = await manager.query(
      `SELECT id FROM users
        WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NULL AND lower(email) = lower($1)
        ORDER BY id LIMIT 1`,
      [email],
    );
    return rows[0]?.id ?? null;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
