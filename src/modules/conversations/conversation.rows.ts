/** What access checks and mutations need of a conversation (locked or not). */
export interface ConversationRef {
  id: number;
  uuid: string;
  contact_id: number;
  inbox_id: number;
  status_id: number;
  status: string;
  status_category: string;
  priority_id: number | null;
  priority: string | null;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
}

/** A row of the conversation lists (one query, viewer-specific unread count). */
export interface ConversationListRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  uuid: string;
  reference_number: string;
  waiting_since: Date | null;
  subject: string;
  last_message: string;
  last_message_at: Date;
  last_message_sender: string | null;
  last_interaction: string | null;
  last_interaction_at: Date | null;
  last_interaction_sender: string | null;
  first_reply_at: Date | null;
  last_reply_at: Date | null;
  resolved_at: Date | null;
  priority_id: number | null;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
  sla_policy_id: number | null;
  next_sla_deadline_at: Date | null;
  snoozed_until: Date | null;
  status: string;
  priority: string | null;
  inbox_name: string;
  inbox_channel: string;
  last_seen_at: Date | null;
  contact_created_at: Date;
  contact_updated_at: Date;
  contact_first_name: string;
  contact_last_name: string;
  contact_email: string | null;
  contact_avatar_url: string | null;
  unread_message_count: number;
}

/** The full conversation of GET /conversations/{uuid}. */
export interface ConversationDetailRow extends ConversationListRow {
  contact_id: number;
  inbox_id: number;
  closed_at: Date | null;
  status_id: number;
  status_category: string;
  meta: unknown;
  custom_attributes: Record<string, unknown> | null;
  inbox_from: string;
  tags: string[];
  contact_type: string;
  contact_availability_status: string;
  contact_phone_number: string | null;
  contact_phone_number_country_code: string | null;
  contact_country: string | null;
  contact_custom_attributes: Record<string, unknown> | null;
  contact_enabled: boolean;
  contact_last_active_at: Date | null;
  contact_last_login_at: Date | null;
  contact_external_user_id: string | null;
}

export interface PreviousConversationRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  uuid: string;
  subject: string;
  last_message: string;
  last_message_at: Date;
  contact_first_name: string;
  contact_last_name: string;
  contact_avatar_url: string | null;
}

export interface ParticipantRow {
  id: number;
  first_name: string;
  last_name: string;
  avatar_url: string | null;
}

export const LIST_COLUMNS = `
  c.id, c.created_at, c.updated_at, c.uuid, c.reference_number, c.waiting_since, c.subject, c.last_message,
  c.last_message_at, c.last_message_sender, c.last_interaction, c.last_interaction_at, c.last_interaction_sender,
  c.first_reply_at, c.last_reply_at, c.resolved_at, c.priority_id, c.assigned_user_id, c.assigned_team_id,
  c.sla_policy_id, c.next_sla_deadline_at, c.snoozed_until, s.name AS status, p.name AS priority,
  i.name AS inbox_name, i.channel AS inbox_channel, ls.last_seen_at,
  ct.created_at AS contact_created_at, ct.updated_at AS contact_updated_at, ct.first_name AS contact_first_name,
  ct.last_name AS contact_last_name, ct.email AS contact_email, ct.avatar_url AS contact_avatar_url,
  (SELECT count(*)::int FROM (
     SELECT 1 FROM conversation_messages um
      WHERE um.conversation_id = c.id AND um.created_at > COALESCE(ls.last_seen_at, '-infinity'::timestamptz)
      LIMIT 10) unread) AS unread_message_count`;

export const DETAIL_COLUMNS = `${LIST_COLUMNS},
  c.contact_id, c.inbox_id, c.closed_at, c.status_id, s.category AS status_category, c.meta, c.custom_attributes,
  i."from" AS inbox_from,
  COALESCE((SELECT array_agg(t.name ORDER BY t.name) FROM conversation_tags ctg JOIN tags t ON t.id = ctg.tag_id
             WHERE ctg.conversation_id = c.id), '{}') AS tags,
  ct.type AS contact_type, ct.availability_status AS contact_availability_status,
  ct.phone_number AS contact_phone_number, ct.phone_number_country_code AS contact_phone_number_country_code,
  ct.country AS contact_country, ct.custom_attributes AS contact_custom_attributes, ct.enabled AS contact_enabled,
  ct.last_active_at AS contact_last_active_at, ct.last_login_at AS contact_last_login_at,
  ct.external_user_id AS contact_external_user_id`;

/** `viewer` is the placeholder of the viewing agent's id (their last-seen drives the unread count). */
export const conversationJoins = (viewer: string) => `
  FROM conversations c
  JOIN conversation_statuses s ON s.id = c.status_id
  LEFT JOIN conversation_priorities p ON p.id = c.priority_id
  JOIN inboxes i ON i.id = c.inbox_id
  JOIN users ct ON ct.id = c.contact_id
  LEFT JOIN conversation_last_seen ls ON ls.conversation_id = c.id AND ls.user_id = ${viewer}`;
