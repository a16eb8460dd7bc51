import type { PriorityEntity } from './entities/priority.entity.js';
import type { StatusEntity } from './entities/status.entity.js';

export { STATUS_CATEGORIES, type StatusCategory } from './entities/status.entity.js';

/** The seeded statuses the conversation workflow depends on: never renamed or deleted. */
export const DEFAULT_STATUSES = ['Open', 'Snoozed', 'Resolved', 'Closed'] as const;

export type StatusRow = Pick<StatusEntity, 'id' | 'createdAt' | 'name' | 'category'>;
export type PriorityRow = Pick<PriorityEntity, 'id' | 'createdAt' | 'name'>;

/** The contract's `Status`, plus `category` (allowed by DECISIONS.md). */
export function toStatus(row: StatusRow) {
  return { id: row.id, created_at: row.createdAt.toISOString(), name: row.name, category: row.category };
}
export type Status = ReturnType<typeof toStatus>;

export function toPriority(row: PriorityRow) {
  return { id: row.id, created_at: row.createdAt.toISOString(), name: row.name };
}
export type Priority = ReturnType<typeof toPriority>;
