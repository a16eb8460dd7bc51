import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `search_words_are_common(query, share)`: true when every English lexeme of `query` is among the most
 * common elements of `conversation_messages.search_vector` (pg_stats) at `share` of the rows or more.
 * Message search uses it to choose between walking the primary key backwards (common words: it stops
 * after a few hundred rows) and the GIN index (rare or absent words). The planner cannot be left to
 * choose: it estimates a lexeme missing from the statistics at half the least common element's share,
 * so on a small vocabulary an absent word looked common and walked every row (1.7 s at 1M messages).
 * A PL/pgSQL function, so the pg_stats lookup is planned once per session, not with every search
 * (inlined as SQL it added about 15 ms of planning to each).
 */
export class SearchCommonWords1765580000000 implements MigrationInterface {
  name = 'SearchCommonWords1765580000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION search_words_are_common(query text, share real) RETURNS boolean LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        lexemes text[] := tsvector_to_array(to_tsvector('english'::regconfig, query));
        elems text[];
        freqs real[];
      BEGIN
        IF cardinality(lexemes) = 0 THEN
          RETURN false;
        END IF;
        SELECT st.most_common_elems::text::text[], st.most_common_elem_freqs INTO elems, freqs
          FROM pg_stats st
         WHERE st.schemaname = current_schema() AND st.tablename = 'conversation_messages' AND st.attname = 'search_vector';
        IF elems IS NULL THEN
          RETURN false;
        END IF;
        RETURN NOT EXISTS (SELECT 1 FROM unnest(lexemes) AS l(lexeme) WHERE COALESCE(freqs[array_position(elems, l.lexeme)], 0) < share);
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION search_words_are_common(text, real)`);
  }
}
