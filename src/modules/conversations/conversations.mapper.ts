import { iso } from '../../shared/http/serialize.js';
import addressparser from 'nodemailer/lib/addressparser';
import type { ConversationDetailRow, ConversationListRow, ParticipantRow, PreviousConversationRow } from './conversation.rows.js';

/** The bare address of an inbox `from` such as `Support <support@example.com>`. */
export function inboxAddress(from: string): string {
  const [first] = addressparser(from ?? '', { flatten: true });
  return first?.address ?? '';
}

/**
 * `assignee_last_seen_at` is the viewer's own last visit (Libredesk keeps last-seen per agent). The
 * contract types it as a non-null time, so a conversation the viewer never opened reports its
 * creation time: everything in it is unread, which is also what `unread_message_count` says.
 */
const lastSeen = (row: ConversationListRow) => (row.last_seen_at ?? row.created_at).toISOString();

/** SLA is not implemented: its fields are present and null (reference §5.4). */
const NO_SLA = {
  sla_policy_id: null,
  applied_sla_id: null,
  first_response_deadline_at: null,
  resolution_deadline_at: null,
  next_response_deadline_at: null,
  next_response_met_at: null,
} as const;

/** The contract's `ConversationListItem`, plus reference number and assignees (as Libredesk HEAD). */
export function toConversationListItem(row: ConversationListRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    uuid: row.uuid,
    reference_number: row.reference_number,
    waiting_since: iso(row.waiting_since),
    assignee_last_seen_at: lastSeen(row),
    contact: {
      created_at: row.contact_created_at.toISOString(),
      updated_at: row.contact_updated_at.toISOString(),
      first_name: row.contact_first_name,
      last_name: row.contact_last_name,
      email: row.contact_email,
      avatar_url: row.contact_avatar_url,
    },
    inbox_channel: row.inbox_channel,
    inbox_name: row.inbox_name,
    first_reply_at: iso(row.first_reply_at),
    last_reply_at: iso(row.last_reply_at),
    resolved_at: iso(row.resolved_at),
    subject: row.subject,
    last_message: row.last_message,
    last_message_at: row.last_message_at.toISOString(),
    last_message_sender: row.last_message_sender,
    last_interaction: row.last_interaction,
    last_interaction_at: iso(row.last_interaction_at),
    last_interaction_sender: row.last_interaction_sender,
    next_sla_deadline_at: iso(row.next_sla_deadline_at),
    priority_id: row.priority_id,
    assigned_user_id: row.assigned_user_id,
    assigned_team_id: row.assigned_team_id,
    unread_message_count: row.unread_message_count,
    status: row.status,
    priority: row.priority,
    snoozed_until: iso(row.snoozed_until),
    ...NO_SLA,
  };
}
export type ConversationListItem = ReturnType<typeof toConversationListItem>;

export function toPreviousConversation(row: PreviousConversationRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    uuid: row.uuid,
    subject: row.subject,
    contact: { first_name: row.contact_first_name, last_name: row.contact_last_name, avatar_url: row.contact_avatar_url },
    last_message: row.last_message,
    last_message_at: row.last_message_at.toISOString(),
  };
}

/**
 * The contract's `Conversation`. `meta` is the contract's array (Libredesk ≤ v1 rendered its meta
 * that way; nothing writes conversation meta here). The contact carries the contract's `Contact`
 * fields, with `roles`/`permissions` null as for any role-less user.
 */
export function toConversation(row: ConversationDetailRow, previous: PreviousConversationRow[]) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    uuid: row.uuid,
    contact_id: row.contact_id,
    inbox_id: row.inbox_id,
    closed_at: iso(row.closed_at),
    resolved_at: iso(row.resolved_at),
    reference_number: row.reference_number,
    priority: row.priority,
    priority_id: row.priority_id,
    status: row.status,
    status_category: row.status_category,
    status_id: row.status_id,
    first_reply_at: iso(row.first_reply_at),
    last_reply_at: iso(row.last_reply_at),
    assigned_user_id: row.assigned_user_id,
    assigned_team_id: row.assigned_team_id,
    assignee_last_seen_at: lastSeen(row),
    waiting_since: iso(row.waiting_since),
    snoozed_until: iso(row.snoozed_until),
    subject: row.subject,
    inbox_mail: inboxAddress(row.inbox_from),
    inbox_name: row.inbox_name,
    inbox_channel: row.inbox_channel,
    tags: row.tags,
    meta: [] as object[],
    custom_attributes: row.custom_attributes ?? {},
    last_message_at: row.last_message_at.toISOString(),
    last_message: row.last_message,
    last_message_sender: row.last_message_sender,
    last_interaction: row.last_interaction,
    last_interaction_at: iso(row.last_interaction_at),
    last_interaction_sender: row.last_interaction_sender,
    contact: {
      id: row.contact_id,
      created_at: row.contact_created_at.toISOString(),
      updated_at: row.contact_updated_at.toISOString(),
      first_name: row.contact_first_name,
      last_name: row.contact_last_name,
      email: row.contact_email,
      type: row.contact_type,
      availability_status: row.contact_availability_status,
      avatar_url: row.contact_avatar_url,
      phone_number: row.contact_phone_number,
      phone_number_country_code: row.contact_phone_number_country_code,
      country: row.contact_country,
      custom_attributes: row.contact_custom_attributes ?? {},
      enabled: row.contact_enabled,
      last_active_at: iso(row.contact_last_active_at),
      last_login_at: iso(row.contact_last_login_at),
      external_user_id: row.contact_external_user_id,
      roles: null,
      permissions: null,
      teams: [] as object[],
      api_key: null,
      api_key_last_used_at: null,
    },
    sla_policy_name: null,
    ...NO_SLA,
    previous_conversations: previous.map(toPreviousConversation),
  };
}
export type Conversation = ReturnType<typeof toConversation>;

export const toParticipant = (row: ParticipantRow) => ({
  id: row.id,
  first_name: row.first_name,
  last_name: row.last_name,
  avatar_url: row.avatar_url,
});
