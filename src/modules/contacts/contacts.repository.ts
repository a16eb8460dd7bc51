import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type FilterColumns, filterSql, orderSql } from '../../shared/database/list-filter-sql.js';
import type { FieldSpecs, FilterNode, ListSort } from '../../shared/http/list-filters.js';
import type { ContactExportRow, ContactNoteRow, ContactRow } from './contacts.mapper.js';

/** What the contact list's `filters` and `order_by` may name (upstream's `makeUserListQuery`). */
const CONTACT_LIST_COLUMNS: FilterColumns = {
  // Listed contacts all have an email.
  'users.email': { sql: 'users.email', kind: 'text', notNull: true },
  'users.created_at': { sql: 'users.created_at', kind: 'date', notNull: true },
  'users.updated_at': { sql: 'users.updated_at', kind: 'date', notNull: true },
};
export const CONTACT_LIST_FIELDS: FieldSpecs = Object.fromEntries(Object.entries(CONTACT_LIST_COLUMNS).map(([f, c]) => [f, c.kind]));
export const DEFAULT_CONTACT_SORT = 'users.created_at';

const noTags = () => 'TRUE';

const CONTACT_COLUMNS = `id, created_at, updated_at, type, first_name, last_name, email, availability_status, phone_number_country_code,
  phone_number, avatar_url, enabled, last_active_at, last_login_at, custom_attributes`;
const IS_CONTACT = `type = 'contact' AND deleted_at IS NULL`;
const NOTE_SELECT = `
  SELECT n.id, n.created_at, n.updated_at, n.contact_id, n.note, n.user_id, u.first_name, u.last_name, u.avatar_url
    FROM contact_notes n JOIN users u ON u.id = n.user_id`;

export type ContactColumns = Partial<
  Pick<ContactRow, 'first_name' | 'last_name' | 'email' | 'phone_number' | 'phone_number_country_code' | 'enabled' | 'avatar_url'>
>;

export type NewContact = Pick<ContactRow, 'first_name' | 'last_name' | 'email' | 'phone_number' | 'phone_number_country_code' | 'custom_attributes'> & {
  country: string | null;
};

/** Named queries over contacts (users of type `contact`, not deleted) and their notes. */
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

  /**
   * A new contact (POST /contacts). With an email, the partial unique index `users_contact_email_key`
   * is the conflict target, so of two concurrent creates one answers null (the caller's 409).
   */
  async insertContact(manager: EntityManager, contact: NewContact): Promise<number | null> {
    const rows: Array<{ id: number }> = await manager.query(
      `INSERT INTO users (type, first_name, last_name, email, phone_number, phone_number_country_code, country, custom_attributes)
       VALUES ('contact', $1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT ((lower(email))) WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NULL
       DO NOTHING RETURNING id`,
      [
        contact.first_name,
        contact.last_name,
        contact.email,
        contact.phone_number,
        contact.phone_number_country_code,
        contact.country,
        JSON.stringify(contact.custom_attributes),
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** A live contact or visitor with this email (other than `exceptId`), as the unique index sees them. */
  async findIdByEmail(manager: EntityManager, email: string, exceptId: number | null = null): Promise<number | null> {
    const rows: Array<{ id: number }> = await manager.query(
      `SELECT id FROM users
        WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NULL AND lower(email) = lower($1)
          AND id IS DISTINCT FROM $2
        ORDER BY id LIMIT 1`,
      [email, exceptId],
    );
    return rows[0]?.id ?? null;
  }

  async findById(id: number, manager: EntityManager = this.dataSource.manager): Promise<ContactRow | null> {
    const rows: ContactRow[] = await manager.query(`SELECT ${CONTACT_COLUMNS} FROM users WHERE id = $1 AND ${IS_CONTACT}`, [id]);
    return rows[0] ?? null;
  }

  /** The contact with the columns only the data export shows. */
  async findForExport(id: number, manager: EntityManager): Promise<ContactExportRow | null> {
    const rows: ContactExportRow[] = await manager.query(`SELECT ${CONTACT_COLUMNS}, country, external_user_id FROM users WHERE id = $1 AND ${IS_CONTACT}`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** The contact, locked until the transaction ends. */
  async lockById(id: number, manager: EntityManager): Promise<ContactRow | null> {
    const rows: ContactRow[] = await manager.query(`SELECT ${CONTACT_COLUMNS} FROM users WHERE id = $1 AND ${IS_CONTACT} FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first, id as the tie-breaker so pages never overlap. */
  async page(limit: number, offset: number): Promise<{ rows: ContactRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<ContactRow[]>(
        `SELECT ${CONTACT_COLUMNS} FROM users WHERE ${IS_CONTACT} AND email IS NOT NULL
          ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM users WHERE ${IS_CONTACT} AND email IS NOT NULL`),
    ]);
    return { rows, total };
  }

  /** A page of the contacts matching `filter`, in `sort`'s order (ties by id); unprepared, as plans depend on the values. */
  async filteredPage(limit: number, offset: number, query: { filter: FilterNode | null; sort: ListSort }): Promise<{ rows: ContactRow[]; total: number }> {
    const params: unknown[] = [];
    const where = `${IS_CONTACT} AND email IS NOT NULL${query.filter ? ` AND ${filterSql(query.filter, CONTACT_LIST_COLUMNS, params, noTags)}` : ''}`;
    const order = orderSql(query.sort, CONTACT_LIST_COLUMNS[query.sort.field], 'users.id');
    const n = params.length;
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<ContactRow[]>(`SELECT ${CONTACT_COLUMNS} FROM users WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`, [
        ...params,
        limit,
        offset,
      ]),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM users WHERE ${where}`, params),
    ]);
    return { rows, total };
  }

  /** Sets the given columns; returns false when the contact is gone. */
  async update(manager: EntityManager, id: number, columns: ContactColumns): Promise<boolean> {
    const sets = ['updated_at = now()'];
    const params: unknown[] = [id];
    for (const [column, value] of Object.entries(columns)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    // An UPDATE answers [rows, affected count] on PostgreSQL.
    const [rows] = await manager.query<[{ id: number }[], number]>(`UPDATE users SET ${sets.join(', ')} WHERE id = $1 AND ${IS_CONTACT} RETURNING id`, params);
    return rows.length > 0;
  }

  /**
   * Merges `values` into the contact's `custom_attributes` and deletes the `removed` keys; writes (and
   * bumps `updated_at`) only when that changes something. True when it did.
   */
  async mergeCustomAttributes(manager: EntityManager, id: number, values: Record<string, unknown>, removed: string[]): Promise<boolean> {
    const [rows] = await manager.query<[{ id: number }[], number]>(
      `UPDATE users SET custom_attributes = (custom_attributes || $2::jsonb) - $3::text[], updated_at = now()
        WHERE id = $1 AND ${IS_CONTACT} AND custom_attributes IS DISTINCT FROM (custom_attributes || $2::jsonb) - $3::text[]
        RETURNING id`,
      [id, JSON.stringify(values), removed],
    );
    return rows.length > 0;
  }

  listNotes(contactId: number, manager: EntityManager = this.dataSource.manager): Promise<ContactNoteRow[]> {
    return manager.query(`${NOTE_SELECT} WHERE n.contact_id = $1 ORDER BY n.created_at DESC, n.id DESC`, [contactId]);
  }

  async findNote(contactId: number, noteId: number): Promise<ContactNoteRow | null> {
    const rows: ContactNoteRow[] = await this.dataSource.query(`${NOTE_SELECT} WHERE n.id = $1 AND n.contact_id = $2`, [noteId, contactId]);
    return rows[0] ?? null;
  }

  async insertNote(contactId: number, authorId: number, note: string): Promise<number> {
    const rows: Array<{ id: number }> = await this.dataSource.query(`INSERT INTO contact_notes (contact_id, user_id, note) VALUES ($1, $2, $3) RETURNING id`, [
      contactId,
      authorId,
      note,
    ]);
    return rows[0].id;
  }

  async deleteNote(contactId: number, noteId: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM contact_notes WHERE id = $1 AND contact_id = $2`, [noteId, contactId]);
  }
}
