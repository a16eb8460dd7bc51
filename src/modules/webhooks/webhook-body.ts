import type { PayloadFormat } from './entities/webhook.entity.js';

/** What a body is built from: an event of the log, or the `webhook.test` event of `POST /webhooks/{id}/test`. */
export interface BodyEvent {
  /** The event id (a string `test_…` for a test event), sent as `webhook-id`. */
  id: string;
  type: string;
  createdAt: Date;
  payload: Record<string, unknown>;
}

/** The event name and `payload` upstream Libredesk sends for one of our events. */
export interface LibredeskEvent {
  event: string;
  payload: unknown;
}

type Payload = Record<string, unknown>;
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * Our event in upstream's terms (integrator-api.md §5). We do not record who made a change, so
 * `actor_id` is null; upstream's `conversation` snapshot is sent where the event carries one
 * (`conversation.created`). Team (un)assignments, which upstream sends no webhook for, become
 * `conversation.team_assigned`/`conversation.team_unassigned` so a receiver switching on
 * `conversation.assigned` never reads a team id as an agent id. Events upstream has no counterpart
 * for (`conversation.priority_changed`, `contact.created`, `contact.updated`) keep our name and payload.
 */
export function toLibredeskEvent(type: string, p: Payload): LibredeskEvent {
  switch (type) {
    case 'conversation.created':
      return { event: type, payload: p.conversation ?? p };
    case 'conversation.status_changed':
      return {
        event: type,
        payload: {
          conversation_uuid: p.conversation_uuid,
          previous_status: p.previous_status,
          new_status: p.status,
          snooze_until: typeof p.snoozed_until === 'string' ? p.snoozed_until : '',
          actor_id: null,
        },
      };
    case 'conversation.tags_changed': {
      const now = strings(p.tags);
      const added = new Set(strings(p.added));
      const previous = [...now.filter((t) => !added.has(t)), ...strings(p.removed).filter((t) => !now.includes(t))];
      return { event: type, payload: { conversation_uuid: p.conversation_uuid, previous_tags: previous, new_tags: now, actor_id: null } };
    }
    case 'conversation.assigned':
      if (p.assignee_type === 'team') {
        return {
          event: 'conversation.team_assigned',
          payload: { conversation_uuid: p.conversation_uuid, team_id: p.assignee_id, previous_team_id: p.previous_assignee_id, actor_id: null },
        };
      }
      return { event: type, payload: { conversation_uuid: p.conversation_uuid, assigned_to: p.assignee_id, actor_id: null } };
    case 'conversation.unassigned':
      if (p.assignee_type === 'team') {
        return {
          event: 'conversation.team_unassigned',
          payload: { conversation_uuid: p.conversation_uuid, previous_team_id: p.previous_assignee_id, actor_id: null },
        };
      }
      return { event: type, payload: { conversation_uuid: p.conversation_uuid, actor_id: null } };
    case 'message.created':
      return { event: type, payload: p.message ?? p };
    case 'message.updated':
      // Upstream sends the whole Message; the log keeps what changed: the message's uuid and delivery status.
      return { event: type, payload: { uuid: p.message_uuid, conversation_uuid: p.conversation_uuid, status: p.status, previous_status: p.previous_status } };
    default:
      return { event: type, payload: p };
  }
}

/** RFC 3339 in UTC with second precision, as Go's `time.RFC3339` prints it. */
export function rfc3339Seconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The JSON body a webhook receives. `standard`: `{id, type, created_at, data}`. `libredesk`: upstream's
 * `{event, payload, timestamp}` (keys in Go's alphabetical order; `timestamp` is the time of sending,
 * as upstream, so it changes on a retry).
 */
export function webhookBody(format: PayloadFormat, event: BodyEvent, now = new Date()): string {
  if (format === 'libredesk') {
    const { event: name, payload } = toLibredeskEvent(event.type, event.payload);
    return JSON.stringify({ event: name, payload, timestamp: rfc3339Seconds(now) });
  }
  const id = /^\d+$/.test(event.id) ? Number(event.id) : event.id;
  return JSON.stringify({ id, type: event.type, created_at: event.createdAt.toISOString(), data: event.payload });
}
