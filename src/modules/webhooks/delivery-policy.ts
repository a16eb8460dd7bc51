/** What one delivery attempt came to. */
export type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string; retryable: boolean; retryAfterMs?: number };

/** Retried: timeouts and network errors (no status), 408, 429 and 5xx. Any other non-2xx is final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Delay before the next attempt after `attempts` failed ones: the receiver's `Retry-After` when it
 * sent one (capped), else exponential backoff from `baseMs` with up to 20% jitter so retries from a
 * burst do not arrive together.
 */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, Math.max(maxMs, baseMs));
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(exponential * (1 + Math.random() * 0.2));
}
