import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message search by words: a stored, generated `search_vector` (English stems of the message text)
 * with a GIN index, so a common word is answered by walking the primary key backwards and an absent or
 * rare one by the GIN bitmap, never by ranking every trigram match. Only the first 100,000 characters
 * are indexed: a tsvector holds at most 1 MB, and a longer text must still be storable (its tail
 * stays reachable through the trigram substring fallback). Being generated, it keeps COPY/seeding and
 * every INSERT unchanged.
 */
export class MessageFullText1765550000000 implements MigrationInterface {
  name = 'MessageFullText1765550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation_messages
        ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, left(text_content, 100000))) STORED`);
    await q.query(`CREATE INDEX conversation_messages_search_idx ON conversation_messages USING gin (search_vector) WHERE type <> 'activity'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX conversation_messages_search_idx`);
    await q.query(`ALTER TABLE conversation_messages DROP COLUMN search_vector`);
  }
}
