const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The longest snooze accepted: a year. */
export const MAX_SNOOZE_MS = 366 * UNIT_MS.d;

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * Parses a snooze duration such as `30m`, `2h`, `3d`, `1h30m` or `1.5h` (Go's `time.ParseDuration`
 * units plus days) into milliseconds. Returns null when the text is not a duration, is not positive,
 * or exceeds {@link MAX_SNOOZE_MS}.
 */
export function parseSnoozeDuration(text: string): number | null {
  const value = text.trim().toLowerCase();
  if (value.length === 0 || value.length > 32 || !DURATION.test(value)) return null;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) total += Number(amount) * UNIT_MS[unit];
  total = Math.round(total);
  if (!Number.isFinite(total) || total <= 0 || total > MAX_SNOOZE_MS) return null;
  return total;
}
