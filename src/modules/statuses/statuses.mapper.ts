export const STATUS_CATEGORIES = ['open', 'waiting', 'resolved'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

/** The seeded statuses the conversation workflow depends on: never renamed or deleted. */
export const DEFAULT_STATUSES = ['Open', 'Snoozed', 'Resolved', 'Closed'] as const;

export interface StatusRow {
  id: number;
  created_at: Date;
  name: string;
  category: StatusCategory;
}

export interface PriorityRow {
  id: number;
  created_at: Date;
  name: string;
}

/** The contract's `Status`, plus `category` (allowed by DECISIONS.md). */
export function toStatus(row: StatusRow) {
  return { id: row.id, created_at: row.created_at.toISOString(), name: row.name, category: row.category };
}
export type Status = ReturnType<typeof toStatus>;

export function toPriority(row: PriorityRow) {
  return { id: row.id, created_at: row.created_at.toISOString(), name: row.name };
}
export type Priority = ReturnType<typeof toPriority>;
