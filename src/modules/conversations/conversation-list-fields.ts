import type { FilterColumns } from '../../shared/database/list-filter-sql.js';
import type { FieldSpecs } from '../../shared/http/list-filters.js';

/** The fields `filters` and `order_by` may name (upstream's allow-list), by the table alias they live on. */
export const CONVERSATION_LIST_COLUMNS: FilterColumns = {
  'conversations.status_id': { sql: 'c.status_id', kind: 'id', notNull: true },
  'conversations.priority_id': { sql: 'c.priority_id', kind: 'id' },
  'conversations.assigned_team_id': { sql: 'c.assigned_team_id', kind: 'id' },
  'conversations.assigned_user_id': { sql: 'c.assigned_user_id', kind: 'id' },
  'conversations.inbox_id': { sql: 'c.inbox_id', kind: 'id', notNull: true },
  'conversations.last_message_at': { sql: 'c.last_message_at', kind: 'date', notNull: true },
  'conversations.last_interaction_at': { sql: 'c.last_interaction_at', kind: 'date' },
  'conversations.last_interaction_sender': { sql: 'c.last_interaction_sender', kind: 'text' },
  'conversations.created_at': { sql: 'c.created_at', kind: 'date', notNull: true },
  'conversations.waiting_since': { sql: 'c.waiting_since', kind: 'date' },
  'conversations.next_sla_deadline_at': { sql: 'c.next_sla_deadline_at', kind: 'date' },
  'conversations.snoozed_until': { sql: 'c.snoozed_until', kind: 'date' },
  'conversations.sla_policy_id': { sql: 'c.sla_policy_id', kind: 'id' },
  'conversations.tags': { sql: 'c.id', kind: 'tags' },
  'conversation_statuses.id': { sql: 's.id', kind: 'id', notNull: true },
  'conversation_statuses.name': { sql: 's.name', kind: 'text', notNull: true },
  'users.email': { sql: 'ct.email', kind: 'text' },
  'users.external_user_id': { sql: 'ct.external_user_id', kind: 'text' },
  'inboxes.channel': { sql: 'i.channel', kind: 'text', notNull: true },
};
export const CONVERSATION_LIST_FIELDS: FieldSpecs = Object.fromEntries(Object.entries(CONVERSATION_LIST_COLUMNS).map(([f, c]) => [f, c.kind]));
export const DEFAULT_CONVERSATION_SORT = 'conversations.last_message_at';
