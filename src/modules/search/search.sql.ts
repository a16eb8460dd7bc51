import { conversationAccessSql } from '../../shared/auth/conversation-access.js';
import type { Principal } from '../../shared/auth/principal.js';
import { SEARCH_LIMIT, SNIPPET_CHARS, type SearchTerm } from './search-query.js';

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/*
 * Matching is case-insensitive. Ranking: an exact value, then a prefix, then a match at the start of a
 * word, then any substring; ties go to the most recent. Access is filtered in SQL before any limit.
 *
 * Conversations and contacts never rank every match: a common name matches a fixed share of a table,
 * and ranking all of them grew with the table. Each column is asked four questions instead, one per
 * rank (is it equal, does it start with, does a word start with, does it contain the term), and each
 * answers with only its newest SEARCH_LIMIT readable matches. That bound loses nothing: a row in the
 * result ranks behind every newer row that answers its question (they rank at least as high), so it
 * is among that question's newest SEARCH_LIMIT. A question costs about the lesser of its number of
 * matches (an index lookup: the lower() text_pattern_ops btrees of migration 1765100000000-SearchGrowth
 * answer equal and starts-with, the trigram GIN indexes of 1764500000000-SearchIndexes the others) and
 * SEARCH_LIMIT divided by the share of rows that match (walking the newest-first index backwards until
 * enough matched; the planner picks from the term's statistics). So for a given term the cost stops
 * growing with the table. When the newest substring matches all start a word they are also the newest
 * word-start matches, and the word-start question is skipped. Indexed expressions are spelled exactly
 * as in the migrations. Similarity operators (`%`, `<%`) are deliberately not used to filter: the
 * planner prices them like `=` while each call costs tens of microseconds.
 *
 * Conversations and contacts share $1 text, $2 contains, $3 prefix and $4 word-start regex.
 */
/** How many of the newest substring matches message search ranks (see messageSubstringSearchSql). */
const RANK_CANDIDATES = 1000;

const FULL_NAME = `(u.first_name || ' ' || u.last_name)`;
const PHONE_DIGITS = `regexp_replace(u.phone_number, '[^0-9]+', '', 'g')`;
const rank = (col: string) => `CASE WHEN lower(${col}) = lower($1) THEN 3 WHEN ${col} ILIKE $3 THEN 2 WHEN ${col} ~* $4 THEN 1 ELSE 0 END`;

const baseParams = (term: SearchTerm): unknown[] => [term.text, term.contains, term.prefix, term.wordStart];

interface Questions {
  ctes: string[];
  arms: string[];
}

/**
 * The four questions about one column, each `SELECT <id> FROM <from> WHERE <match> AND <filter>
 * ORDER BY <newest> LIMIT SEARCH_LIMIT`. The substring answer is a CTE (`<name>`) so the word-start
 * question runs only when one of those rows does not start a word.
 */
function questions(name: string, col: string, q: { id: string; from: string; filter: string; newest: string }): Questions {
  const ask = (match: string, extra = '') => `SELECT ${q.id}${extra} FROM ${q.from} WHERE ${match} AND ${q.filter} ORDER BY ${q.newest} LIMIT ${SEARCH_LIMIT}`;
  return {
    ctes: [`${name} AS MATERIALIZED (${ask(`${col} ILIKE $2`, `, ${col} ~* $4 AS word`)})`],
    arms: [
      ask(`lower(${col}) = lower($1)`),
      ask(`lower(${col}) LIKE lower($3)`),
      ask(`EXISTS (SELECT FROM ${name} WHERE NOT word) AND ${col} ~* $4`),
      `SELECT id FROM ${name}`,
    ],
  };
}

const withHits = (parts: Questions[], extraArms: string[] = []) => {
  const ctes = parts.flatMap((p) => p.ctes);
  const arms = [...extraArms, ...parts.flatMap((p) => p.arms)].map((a) => `(${a})`);
  return `WITH ${ctes.join(',\n           ')},\n      hits AS (${arms.join('\n        UNION ')})`;
};

/**
 * Conversations by exact reference number, or by subject or contact email. Each question carries the
 * access filter and takes its newest over the `(last_message_at DESC, id DESC)` order of
 * conversations_activity_idx; the result columns are read for the chosen few only.
 */
export function conversationSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  const params = baseParams(term);
  params.push(term.reference);
  const reference = `$${params.length}`;
  const access = conversationAccessSql(principal, 'c', params);
  const newest = 'c.last_message_at DESC, c.id DESC';
  const subject = questions('subject_any', 'c.subject', { id: 'c.id', from: 'conversations c', filter: access, newest });
  const email = questions('email_any', 'u.email', {
    id: 'c.id',
    from: 'conversations c JOIN users u ON u.id = c.contact_id',
    filter: access,
    newest,
  });
  return {
    sql: `
      ${withHits([subject, email], [`SELECT c.id FROM conversations c WHERE c.reference_number = ${reference} AND ${access}`])}
      SELECT c.created_at, c.uuid, c.reference_number, c.subject, s.name AS status
        FROM hits
        JOIN conversations c ON c.id = hits.id
        JOIN users u ON u.id = c.contact_id
        JOIN conversation_statuses s ON s.id = c.status_id
       ORDER BY greatest(CASE WHEN c.reference_number = ${reference} THEN 10 ELSE 0 END, ${rank('c.subject')}, ${rank('u.email')}) DESC,
                c.last_message_at DESC, c.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}

/**
 * Messages (non-activity, private notes included). A query of words (no `@`, no digit: see
 * SearchTerm.words) is full-text search: websearch_to_tsquery('english') gives stems ("invoices" finds
 * "invoice"), quoted phrases and `-word`; see messageWordSearchSql. Any other query is an email or an
 * identifier, found as a substring through the trigram index; see messageSubstringSearchSql.
 */
export function messageSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  return term.words ? messageWordSearchSql(term, principal) : messageSubstringSearchSql(term, principal);
}

const MESSAGE_COLUMNS = `m.created_at, left(m.text_content, ${SNIPPET_CHARS}) AS text_content,
             c.created_at AS conversation_created_at, c.uuid AS conversation_uuid,
             c.reference_number AS conversation_reference_number, s.name AS conversation_status`;

/** How many of the newest word matches full-text search ranks (see messageWordSearchSql). */
const WORD_CANDIDATES = 50;

/**
 * A query whose every lexeme is among the column's most common elements (pg_stats) at this share of
 * rows or more is "common": its newest matches are found by walking the primary key backwards, which
 * stops after about WORD_CANDIDATES / share rows. Any other query reads the GIN index. The planner
 * cannot be left to choose (see migration SearchCommonWords, whose function decides).
 */
const COMMON_LEXEME_SHARE = 0.01;

/**
 * Word search ranks (ts_rank, then newest) the newest WORD_CANDIDATES readable messages whose
 * search_vector matches. Those are read in primary-key order: for a common word by walking
 * conversation_messages_pkey backwards until that many matched (about WORD_CANDIDATES divided by the
 * word's share of rows), for a rare or absent one from the GIN bitmap of conversation_messages_search_idx;
 * which of the two is decided from pg_stats (see COMMON_LEXEME_SHARE), and only that arm runs (a one-time
 * filter). Either way the cost stops growing with the table.
 * When fewer than SEARCH_LIMIT messages match as words, which is exactly when the candidates hold every
 * word match, the newest messages containing the text as a substring follow them ("zorbo" still finds
 * "megazorbo"), through the trigram index; the one-time filter skips that scan otherwise. Conversations are joined for the 30 chosen only.
 * $1 is the query text, $2 its ILIKE pattern.
 */
function messageWordSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
  const params: unknown[] = [term.text, term.contains];
  const access = conversationAccessSql(principal, 'c', params);
  return {
    sql: `
      WITH common AS MATERIALIZED (SELECT search_words_are_common($1, ${COMMON_LEXEME_SHARE}) AS yes),
      newest_common AS MATERIALIZED (
        SELECT m.id, m.created_at, m.text_content, m.conversation_id,
               ts_rank(m.search_vector, websearch_to_tsquery('english', $1)) AS rank
          FROM conversation_messages m
          JOIN conversations c ON c.id = m.conversation_id
         WHERE (SELECT yes FROM common)
           AND m.type <> 'activity' AND m.search_vector @@ websearch_to_tsquery('english', $1) AND ${access}
         ORDER BY m.id DESC
         LIMIT ${WORD_CANDIDATES}
      ),
      newest_rare AS MATERIALIZED (
        SELECT m.id, m.created_at, m.text_content, m.conversation_id,
               ts_rank(m.search_vector, websearch_to_tsquery('english', $1)) AS rank
          FROM conversation_messages m
          JOIN conversations c ON c.id = m.conversation_id
         WHERE NOT (SELECT yes FROM common)
           AND m.type <> 'activity' AND m.search_vector @@ websearch_to_tsquery('english', $1) AND ${access}
         ORDER BY m.id + 0 DESC
         LIMIT ${WORD_CANDIDATES}
      ),
      words AS MATERIALIZED (SELECT * FROM newest_common UNION ALL SELECT * FROM newest_rare),
      substrings AS MATERIALIZED (
        SELECT m.id, m.created_at, m.text_content, m.conversation_id, -1::real AS rank
          FROM conversation_messages m
          JOIN conversations c ON c.id = m.conversation_id
         WHERE (SELECT count(*) FROM words) < ${SEARCH_LIMIT}
           AND m.type <> 'activity' AND m.text_content ILIKE $2 AND ${access}
           AND m.id NOT IN (SELECT id FROM words)
         ORDER BY m.id DESC
         LIMIT ${SEARCH_LIMIT}
      )
      SELECT ${MESSAGE_COLUMNS}
        FROM (SELECT * FROM words UNION ALL SELECT * FROM substrings ORDER BY rank DESC, created_at DESC, id DESC LIMIT ${SEARCH_LIMIT}) m
        JOIN conversations c ON c.id = m.conversation_id
        JOIN conversation_statuses s ON s.id = c.status_id
       ORDER BY m.rank DESC, m.created_at DESC, m.id DESC`,
    params,
  };
}

/**
 * Non-activity messages whose text contains the term; word starts first, then newest. Ranking looks
 * at the newest RANK_CANDIDATES readable matches only: walking the primary key backwards stops after
 * that many matches; a rare term goes through the trigram index.
 */
function messageSubstringSearchSql(term: SearchTerm, principal: Principal): SqlQuery {
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
      SELECT ${MESSAGE_COLUMNS}
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
 * email. Each question is its own arm, so the planner weighs its index against walking
 * users_contact_created_idx backwards, rather than against the `type` index that nearly every user
 * row satisfies; each takes its newest contacts (see the top of this file).
 */
export function contactSearchSql(term: SearchTerm): SqlQuery {
  const params = baseParams(term);
  const on = {
    id: 'u.id',
    from: 'users u',
    filter: `u.type = 'contact' AND u.deleted_at IS NULL AND u.email IS NOT NULL`,
    newest: 'u.created_at DESC, u.id DESC',
  };
  const parts = [questions('email_any', 'u.email', on), questions('name_any', FULL_NAME, on)];
  const phoneArms: string[] = [];
  let phoneRank = '0';
  if (term.phoneDigits) {
    params.push(term.phoneDigits);
    const phoneMatch = `(u.phone_number IS NOT NULL AND ${PHONE_DIGITS} LIKE $${params.length})`;
    phoneArms.push(`SELECT u.id FROM users u WHERE ${phoneMatch} AND ${on.filter} ORDER BY ${on.newest} LIMIT ${SEARCH_LIMIT}`);
    phoneRank = `CASE WHEN ${phoneMatch} THEN 2 ELSE 0 END`;
  }
  return {
    sql: `
      ${withHits(parts, phoneArms)}
      SELECT u.id, u.created_at, u.first_name, u.last_name, u.email
        FROM hits JOIN users u ON u.id = hits.id
       ORDER BY greatest(${rank('u.email')}, ${rank(FULL_NAME)}, ${phoneRank}) DESC, u.created_at DESC, u.id DESC
       LIMIT ${SEARCH_LIMIT}`,
    params,
  };
}
