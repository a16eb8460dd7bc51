import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes and statistics that let conversation and contact search take only the newest matches of
 * each rank (see `src/modules/search/search.sql.ts`), so their cost stops growing with the tables:
 * - lower() btrees with text_pattern_ops answer "equals" and "starts with" (LIKE 'x%') directly; the
 *   subject one also keeps equal subjects newest first, since a common subject repeats thousands of
 *   times;
 * - contacts newest first, to walk backwards until enough contacts matched a common name;
 * - larger statistics on the searched text, so the planner can tell a common term (walk the newest
 *   rows) from a rare one (use the trigram index): with 100 samples a name shared by 2 % of the
 *   rows is often not seen at all.
 * The expressions must stay identical to the ones in search.sql.ts.
 *
 * Runs outside a transaction: a session keeps an index's old statistics target until its cached
 * description is rebuilt, which happens only after the ALTER INDEX commits, so ANALYZE comes in a
 * later transaction (the indexes and targets still change together in the first statement's).
 */
export class SearchGrowth1765100000000 implements MigrationInterface {
  name = 'SearchGrowth1765100000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX conversations_subject_lower_idx ON conversations (lower(subject) text_pattern_ops, last_message_at DESC, id DESC);
      CREATE INDEX users_email_lower_idx ON users (lower(email) text_pattern_ops);
      CREATE INDEX users_full_name_lower_idx ON users (lower(first_name || ' ' || last_name) text_pattern_ops);
      CREATE INDEX users_contact_created_idx ON users (created_at DESC, id DESC) WHERE type = 'contact' AND deleted_at IS NULL;
      ALTER TABLE users ALTER COLUMN email SET STATISTICS 300;
      ALTER INDEX users_full_name_trgm ALTER COLUMN 1 SET STATISTICS 300;
      ALTER TABLE conversations ALTER COLUMN subject SET STATISTICS 300;
    `);
    await q.query('ANALYZE users');
    await q.query('ANALYZE conversations');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversations ALTER COLUMN subject SET STATISTICS -1;
      ALTER INDEX users_full_name_trgm ALTER COLUMN 1 SET STATISTICS -1;
      ALTER TABLE users ALTER COLUMN email SET STATISTICS -1;
      DROP INDEX IF EXISTS users_contact_created_idx;
      DROP INDEX IF EXISTS users_full_name_lower_idx;
      DROP INDEX IF EXISTS users_email_lower_idx;
      DROP INDEX IF EXISTS conversations_subject_lower_idx;
    `);
  }
}
