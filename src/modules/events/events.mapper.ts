import type { FeedEvent } from './event-types.js';
import type { FeedRow } from './events.repository.js';

export function toFeedEvent(row: FeedRow): FeedEvent {
  return { id: Number(row.id), type: row.type, created_at: new Date(row.createdAt).toISOString(), payload: row.payload ?? {} };
}
