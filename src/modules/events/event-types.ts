/** Every event the log records; webhooks subscribe to these names (or `*`). */
export const EVENT_TYPES = [
  'conversation.created',
  'conversation.updated',
  'conversation.status_changed',
  'conversation.priority_changed',
  'conversation.tags_changed',
  'conversation.assigned',
  'conversation.unassigned',
  'message.created',
  'message.updated',
  'contact.created',
  'contact.updated',
  'contact.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (value: unknown): value is EventType => typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);

/** Who may see a conversation or message event: the conversation's assignment when the event happened. */
export interface EventScope {
  conversationId?: number;
  assignedUserId?: number | null;
  assignedTeamId?: number | null;
}

/** An event as the feed and webhooks present it. */
export interface FeedEvent {
  id: number;
  type: EventType;
  created_at: string;
  payload: Record<string, unknown>;
}
