import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trigram GIN indexes behind search (ILIKE substring and `<%` fuzzy matching), so search never
 * falls back to a sequential scan as the tables grow. The expressions here must stay identical to
 * the ones in `src/modules/search/search.sql.ts`, or the planner cannot use the indexes.
 */
export class SearchIndexes1764500000000 implements MigrationInterface {
  name = 'SearchIndexes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX conversations_subject_trgm ON conversations USING gin (subject gin_trgm_ops);
      CREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops);
      CREATE INDEX users_full_name_trgm ON users USING gin ((first_name || ' ' || last_name) gin_trgm_ops);
      CREATE INDEX users_phone_digits_trgm ON users USING gin ((regexp_replace(phone_number, '[^0-9]+', '', 'g')) gin_trgm_ops)
        WHERE phone_number IS NOT NULL;
      CREATE INDEX conversation_messages_text_trgm ON conversation_messages USING gin (text_content gin_trgm_ops)
        WHERE type <> 'activity';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS conversation_messages_text_trgm;
      DROP INDEX IF EXISTS users_phone_digits_trgm;
      DROP INDEX IF EXISTS users_full_name_trgm;
      DROP INDEX IF EXISTS users_email_trgm;
      DROP INDEX IF EXISTS conversations_subject_trgm;
    `);
  }
}
