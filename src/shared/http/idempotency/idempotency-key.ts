import { createHash } from 'node:crypto';
import { InvalidInput } from '../errors.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The key from the request headers: undefined when absent, 400 unless it is 1-255 visible ASCII characters. */
export function parseIdempotencyKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(raw)) {
    throw new InvalidInput('Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces)');
  }
  return raw;
}

/** JSON with object keys sorted at every level, so key order does not make two bodies differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface FingerprintSource {
  method: string;
  url: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * What makes two requests "the same": method, path with query, and body. A parsed (JSON) body is
 * compared in canonical form. A streamed body (a multipart upload, read by the handler after this
 * check) can only be compared by its media type and size.
 */
export function requestFingerprint({ method, url, body, headers }: FingerprintSource): string {
  let content = '';
  if (body !== undefined) content = `json:${canonicalJson(body)}`;
  else if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
    const type = String(headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    content = `stream:${type}:${String(headers['content-length'] ?? 'chunked')}`;
  }
  return createHash('sha256').update(`${method.toUpperCase()}\n${url}\n${content}`).digest('hex');
}
