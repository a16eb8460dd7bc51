/**
 * The stored form of an IANA time zone, or null when the runtime does not know it. Case is fixed
 * (`america/toronto` → `America/Toronto`); aliases such as `US/Eastern` are kept as given.
 */
export function canonicalTimeZone(value: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
  } catch {
    return null;
  }
}
