import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message search by words: `search_vector` holds the English stems of the message text, with a GIN
 * index, so a common word is answered by walking the primary key backwards and an absent or rare one
 * by the GIN bitmap, never by ranking every trigram match. A trigger fills it on every INSERT (COPY and
 * seeding included) and on every change of text_content; a stored generated column would do the same,
 * but TypeORM keeps its expression in typeorm_metadata under the database's name, which a cloned
 * database does not share. Only the first 100,000 characters are indexed: a tsvector holds at most 1 MB,
 * and a longer text must still be storable (its tail stays reachable through the substring fallback).
 */
export class MessageFullText1765550000000 implements MigrationInterface {
  name = 'MessageFullText1765550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation_messages ADD COLUMN search_vector tsvector`);
    await q.query(`
      CREATE FUNCTION conversation_messages_search_vector() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        NEW.search_vector := to_tsvector('english'::regconfig, left(NEW.text_content, 100000));
        RETURN NEW;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER conversation_messages_search_vector BEFORE INSERT OR UPDATE OF text_content ON conversation_messages
        FOR EACH ROW EXECUTE FUNCTION conversation_messages_search_vector()`);
    await q.query(`UPDATE conversation_messages SET search_vector = to_tsvector('english'::regconfig, left(text_content, 100000))`);
    await q.query(`CREATE INDEX conversation_messages_search_idx ON conversation_messages USING gin (search_vector) WHERE type <> 'activity'`);
    // Without lexeme statistics the planner takes a common word for a rare one and reads its whole GIN
    // bitmap (measured: 0.07x the bare query at 100k messages until the table was analyzed).
    await q.query(`ANALYZE conversation_messages`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX conversation_messages_search_idx`);
    await q.query(`DROP TRIGGER conversation_messages_search_vector ON conversation_messages`);
    await q.query(`DROP FUNCTION conversation_messages_search_vector()`);
    await q.query(`ALTER TABLE conversation_messages DROP COLUMN search_vector`);
  }
}
