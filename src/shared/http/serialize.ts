/** RFC 3339 in UTC for a nullable timestamp (DECISIONS.md: nullable fields are JSON null). */
export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
