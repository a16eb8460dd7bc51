import { conversationAccessSql } from '../../shared/auth/conversation-access.js';
import type { Principal } from '../../shared/auth/principal.js';
import { SEARCH_LIMIT, SNIPPET_CHARS, type SearchTerm } from './search-query.js';

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/*
 * Every matcher below is backed by a trigram GIN index of migration 1764500000000-SearchIndexes:
 * `col ILIKE '%…%'` and `term <% col` (word similarity, for typos) are both index operators of
 * gin_trgm_ops. Indexed expressions are spelled exactly as in the migration. Ranking: a substring
 * match scores 1 plus its word similarity, a fuzzy-only match its word similarity; an exact
 * reference number outranks everything. Access is filtered in SQL before the limit.
 */
const FULL_NAME = `(u.first_name || ' ' || u.last_name)`;
const PHONE_DIGITS = `regexp_replace(u.phone_number, '[^0-9]+', '', 'g')`;
const score = (col: string) => `(word_similarity($1, ${col}) + CASE WHEN ${col} ILIKE $2 THEN 1 ELSE 0 END)`;

/** Conversations by exact reference number, or fuzzily by subject or contact email. */
export function conversationSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  const params: unknown[] = [term.text, term.contains, term.reference];
  const access = conversationAccessSql(principal, 'c', params);
  return {
    sql: `
      WITH matches AS (
        SELECT c.id, 3::float8 AS score FROM conversations c WHERE c.reference_number = $3
        UNION ALL
        SELECT c.id, ${score('c.subject')} FROM conversations c WHERE c.subject ILIKE $2 OR $1 <% c.subject
        UNION ALL
        SELECT c.id, ${score('u.email')}
          FROM users u JOIN conversations c ON c.contact_id = u.id
         WHERE u.email ILIKE $2 OR $1 <% u.email
      ), ranked AS (
        SELECT id, max(score) AS score FROM matches GROUP BY id
      )
      SELECT c.created_at, c.uuid, c.reference_number, c.subject, s.name AS status
        FROM ranked r
        JOIN conversations c ON c.id = r.id
        JOIN conversation_statuses s ON s.id = c.status_id
       WHERE ${access}
       ORDER BY r.score DESC, c.last_message_at DESC, c.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}

/** Non-activity messages (private notes included) whose text contains the term. */
export function messageSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  const params: unknown[] = [term.text, term.contains];
  const access = conversationAccessSql(principal, 'c', params);
  return {
    sql: `
      SELECT m.created_at, left(m.text_content, ${SNIPPET_CHARS}) AS text_content,
             c.created_at AS conversation_created_at, c.uuid AS conversation_uuid,
             c.reference_number AS conversation_reference_number, s.name AS conversation_status
        FROM conversation_messages m
        JOIN conversations c ON c.id = m.conversation_id
        JOIN conversation_statuses s ON s.id = c.status_id
       WHERE m.type <> 'activity' AND m.text_content ILIKE $2 AND ${access}
       ORDER BY word_similarity($1, m.text_content) DESC, m.created_at DESC, m.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}

/**
 * Contacts by email or full name (fuzzily), or by the digits of a phone number; the contract's
 * result needs an email. Each matcher is its own arm so the planner weighs its trigram index against
 * a scan, rather than against the `type` index that nearly every user row satisfies.
 */
export function contactSearchSql(term: SearchTerm): SqlQuery {
  const params: unknown[] = [term.text, term.contains];
  let phoneArm = '';
  let phoneScore = '0';
  if (term.phoneDigits) {
    params.push(term.phoneDigits);
    const phoneMatch = `(u.phone_number IS NOT NULL AND ${PHONE_DIGITS} LIKE $3)`;
    phoneArm = `UNION SELECT u.id FROM users u WHERE ${phoneMatch}`;
    phoneScore = `CASE WHEN ${phoneMatch} THEN 2 ELSE 0 END`;
  }
  return {
    sql: `
      WITH hits AS (
        SELECT u.id FROM users u WHERE u.email ILIKE $2 OR $1 <% u.email
        UNION SELECT u.id FROM users u WHERE ${FULL_NAME} ILIKE $2 OR $1 <% ${FULL_NAME}
        ${phoneArm}
      )
      SELECT u.id, u.created_at, u.first_name, u.last_name, u.email
        FROM hits JOIN users u ON u.id = hits.id
       WHERE u.type = 'contact' AND u.deleted_at IS NULL AND u.email IS NOT NULL
       ORDER BY greatest(${score('u.email')}, ${score(FULL_NAME)}, ${phoneScore}) DESC, u.created_at DESC, u.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}
