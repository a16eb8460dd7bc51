import { conversationAccessSql } from '../../shared/auth/conversation-access.js';
import type { Principal } from '../../shared/auth/principal.js';
import { SEARCH_LIMIT, SNIPPET_CHARS, type SearchTerm } from './search-query.js';

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/*
 * Matching is `col ILIKE '%term%'`, served by the trigram GIN indexes of migration
 * 1764500000000-SearchIndexes (indexed expressions are spelled exactly as there). Similarity
 * operators (`%`, `<%`) are deliberately not used to filter: the planner prices them like `=` while
 * each call costs tens of microseconds, so it picks a sequential scan that evaluates them on every
 * row. Ranking uses cheap signals over the matches only: an exact value, then a prefix, then a
 * match at the start of a word, then any substring; ties go to the most recent. Access is filtered
 * in SQL before the limit.
 *
 * Conversations and contacts share $1 text, $2 contains, $3 prefix and $4 word-start regex.
 */
/** How many of the newest matches are ranked (see messageSearchSql). */
const RANK_CANDIDATES = 1000;

const FULL_NAME = `(u.first_name || ' ' || u.last_name)`;
const PHONE_DIGITS = `regexp_replace(u.phone_number, '[^0-9]+', '', 'g')`;
const rank = (col: string) =>
  `CASE WHEN lower(${col}) = lower($1) THEN 3 WHEN ${col} ILIKE $3 THEN 2 WHEN ${col} ~* $4 THEN 1 ELSE 0 END`;

const baseParams = (term: SearchTerm): unknown[] => [term.text, term.contains, term.prefix, term.wordStart];

/**
 * Conversations by exact reference number, or by subject or contact email. Each arm carries the
 * access filter and the result columns, so no arm joins back to the whole conversations table.
 */
export function conversationSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  const params = baseParams(term);
  params.push(term.reference);
  const reference = `$${params.length}`;
  const access = () => conversationAccessSql(principal, 'c', params);
  const columns = 'c.id, c.created_at, c.uuid, c.reference_number, c.subject, c.status_id, c.last_message_at';
  return {
    sql: `
      WITH matches AS (
        SELECT ${columns}, 10 AS score FROM conversations c WHERE c.reference_number = ${reference} AND ${access()}
        UNION ALL
        SELECT ${columns}, ${rank('c.subject')} FROM conversations c WHERE c.subject ILIKE $2 AND ${access()}
        UNION ALL
        SELECT ${columns}, ${rank('u.email')} FROM users u JOIN conversations c ON c.contact_id = u.id
         WHERE u.email ILIKE $2 AND ${access()}
      ), best AS (
        SELECT DISTINCT ON (id) * FROM matches ORDER BY id, score DESC
      )
      SELECT b.created_at, b.uuid, b.reference_number, b.subject, s.name AS status
        FROM best b JOIN conversation_statuses s ON s.id = b.status_id
       ORDER BY b.score DESC, b.last_message_at DESC, b.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}

/**
 * Non-activity messages (private notes included) whose text contains the term; word starts first,
 * then newest. Ranking looks at the newest CANDIDATES readable matches only: a common word matches a
 * large share of a big message table, and ranking every match would grow with the table. Walking the
 * primary key backwards stops after that many matches; a rare term goes through the trigram index.
 */
export function messageSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  const params: unknown[] = [term.contains, term.wordStart];
  const access = conversationAccessSql(principal, 'c', params);
  return {
    sql: `
      WITH candidates AS MATERIALIZED (
        SELECT m.id, m.created_at, m.text_content, m.conversation_id
          FROM conversation_messages m
          JOIN conversations c ON c.id = m.conversation_id
         WHERE m.type <> 'activity' AND m.text_content ILIKE $1 AND ${access}
         ORDER BY m.id DESC
         LIMIT ${RANK_CANDIDATES}
      )
      SELECT m.created_at, left(m.text_content, ${SNIPPET_CHARS}) AS text_content,
             c.created_at AS conversation_created_at, c.uuid AS conversation_uuid,
             c.reference_number AS conversation_reference_number, s.name AS conversation_status
        FROM candidates m
        JOIN conversations c ON c.id = m.conversation_id
        JOIN conversation_statuses s ON s.id = c.status_id
       ORDER BY (m.text_content ~* $2) DESC, m.created_at DESC, m.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}

/**
 * Contacts by email, full name or the digits of a phone number; the contract's result needs an
 * email. Each matcher is its own arm so the planner weighs its trigram index against a scan, rather
 * than against the `type` index that nearly every user row satisfies.
 */
export function contactSearchSql(term: SearchTerm): SqlQuery {
  const params = baseParams(term);
  let phoneArm = '';
  let phoneRank = '0';
  if (term.phoneDigits) {
    params.push(term.phoneDigits);
    const phoneMatch = `(u.phone_number IS NOT NULL AND ${PHONE_DIGITS} LIKE $${params.length})`;
    phoneArm = `UNION SELECT u.id FROM users u WHERE ${phoneMatch}`;
    phoneRank = `CASE WHEN ${phoneMatch} THEN 2 ELSE 0 END`;
  }
  return {
    sql: `
      WITH hits AS (
        SELECT u.id FROM users u WHERE u.email ILIKE $2
        UNION SELECT u.id FROM users u WHERE ${FULL_NAME} ILIKE $2
        ${phoneArm}
      )
      SELECT u.id, u.created_at, u.first_name, u.last_name, u.email
        FROM hits JOIN users u ON u.id = hits.id
       WHERE u.type = 'contact' AND u.deleted_at IS NULL AND u.email IS NOT NULL
       ORDER BY greatest(${rank('u.email')}, ${rank(FULL_NAME)}, ${phoneRank}) DESC, u.created_at DESC, u.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}
