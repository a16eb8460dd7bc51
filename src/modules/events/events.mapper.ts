import type { FeedEvent } from './event-types.js';
import type { EventRow } from './events.repository.js';

export function toFeedEvent(row: EventRow): FeedEvent {
  return { id: Number(row.id), type: row.type, created_at: new Date(row.created_at).toISOString(), payload: row.payload ?? {} };
}
