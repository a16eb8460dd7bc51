import { InvalidInput } from '../../shared/http/errors.js';

export const MIN_QUERY_CHARS = 3;
export const MAX_QUERY_CHARS = 400;
export const SEARCH_LIMIT = 30;
export const SNIPPET_CHARS = 200;

/** A search term, normalised, with the forms each matcher needs. */
export interface SearchTerm {
  /** The text as the user meant it: whitespace collapsed, trimmed, well-formed Unicode. */
  text: string;
  /** An ILIKE pattern matching `text` anywhere; `%`, `_` and `\` in the input are literal. */
  contains: string;
  /** An ILIKE pattern matching values that start with `text`. */
  prefix: string;
  /** A case-insensitive regex (`~*`) matching `text` at the start of a word; punctuation is literal. */
  wordStart: string;
  /** `text` without a leading `#`, for exact reference-number matches. */
  reference: string;
  /** A LIKE pattern over the digits of a phone-like query, or null when the query is not one. */
  phoneDigits: string | null;
  /**
   * Whether message search looks the query up as words (full-text search, English stems, quoted
   * phrases): only letters, spaces, quotes, apostrophes, hyphens and sentence punctuation. An `@`, a
   * digit, `_`, `%`, `/`, a backslash and the like mark an email, a path or an identifier, which only a
   * substring match finds.
   */
  words: boolean;
}

const PHONE_LIKE = /^[\d\s+().\-/]+$/;
const WORDS_ONLY = /^[\p{L}\p{M}\s"'\u2019\-.,;!?]+$/u;
const LONE_SURROGATE = /\p{Cs}/gu;

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** Escapes ASCII punctuation for a PostgreSQL regex; a backslash before a non-alphanumeric is a literal. */
export function escapeRegex(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * Reads `?query=`: a single string of 3 to 400 characters once whitespace is collapsed. The input
 * is plain text and never SQL or LIKE syntax; a NUL byte cannot be stored in Postgres text, so it is
 * a 400 rather than a database error.
 */
export function parseSearchQuery(raw: unknown): SearchTerm {
  if (raw !== undefined && typeof raw !== 'string') throw new InvalidInput('`query` must be given once, as text');
  if (typeof raw === 'string' && raw.includes('\u0000')) throw new InvalidInput('`query` contains a NUL character');
  const text = (raw ?? '').replace(LONE_SURROGATE, '\uFFFD').replace(/\s+/g, ' ').trim();
  const length = [...text].length;
  if (length < MIN_QUERY_CHARS) throw new InvalidInput(`Please enter at least ${MIN_QUERY_CHARS} characters to search.`);
  if (length > MAX_QUERY_CHARS) throw new InvalidInput(`The search query is too long: at most ${MAX_QUERY_CHARS} characters.`);
  const digits = text.replace(/\D/g, '');
  return {
    text,
    contains: `%${escapeLike(text)}%`,
    prefix: `${escapeLike(text)}%`,
    wordStart: `\\m${escapeRegex(text)}`,
    reference: text.replace(/^#/, ''),
    phoneDigits: PHONE_LIKE.test(text) && digits.length >= MIN_QUERY_CHARS ? `%${digits}%` : null,
    words: WORDS_ONLY.test(text),
  };
}
