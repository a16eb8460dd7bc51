import type { Columns, Nullable, Prefixed } from '../../shared/database/columns.js';
import type { UserEntity } from '../../shared/database/entities/user.entity.js';
import type { AgentEntity } from '../agents/entities/agent.entity.js';
import type { ContactEntity } from '../contacts/entities/contact.entity.js';
import type { InboxEntity } from '../inboxes/entities/inbox.entity.js';
import type { PriorityEntity } from '../statuses/entities/priority.entity.js';
import type { StatusEntity } from '../statuses/entities/status.entity.js';
import type { ConversationLastSeenEntity } from './entities/conversation-last-seen.entity.js';
import type { ConversationEntity } from './entities/conversation.entity.js';
import type { TagEntity } from './entities/tag.entity.js';

/** The status and priority names joined to a conversation. */
type StatusNames = { status: StatusEntity['name']; priority: PriorityEntity['name'] | null };

/** What access checks and mutations need of a conversation (locked or not). */
export type ConversationRef = Columns<
  ConversationEntity,
  'id' | 'uuid' | 'contactId' | 'inboxId' | 'statusId' | 'priorityId' | 'assignedUserId' | 'assignedTeamId'
> &
  StatusNames & { status_category: StatusEntity['category'] };

/** A row of the conversation lists (one query, viewer-specific unread count). */
export type ConversationListRow = Columns<
  ConversationEntity,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'uuid'
  | 'referenceNumber'
  | 'waitingSince'
  | 'subject'
  | 'lastMessage'
  | 'lastMessageAt'
  | 'lastMessageSender'
  | 'lastInteraction'
  | 'lastInteractionAt'
  | 'lastInteractionSender'
  | 'firstReplyAt'
  | 'lastReplyAt'
  | 'resolvedAt'
  | 'priorityId'
  | 'assignedUserId'
  | 'assignedTeamId'
  | 'slaPolicyId'
  | 'nextSlaDeadlineAt'
  | 'snoozedUntil'
> &
  StatusNames &
  Prefixed<'inbox_', Columns<InboxEntity, 'name' | 'channel'>> &
  Nullable<Columns<ConversationLastSeenEntity, 'lastSeenAt'>> &
  Prefixed<'contact_', Columns<ContactEntity, 'createdAt' | 'updatedAt' | 'firstName' | 'lastName' | 'email' | 'avatarUrl'>> & {
    unread_message_count: number;
  };

/** The full conversation of GET /conversations/{uuid}. */
export type ConversationDetailRow = ConversationListRow &
  Columns<ConversationEntity, 'contactId' | 'inboxId' | 'closedAt' | 'statusId' | 'meta' | 'customAttributes'> & {
    status_category: StatusEntity['category'];
    inbox_from: InboxEntity['from'];
    tags: TagEntity['name'][];
  } & Prefixed<
    'contact_',
    Columns<
      ContactEntity,
      'type' | 'availabilityStatus' | 'phoneNumber' | 'phoneNumberCountryCode' | 'country' | 'customAttributes' | 'enabled' | 'externalUserId'
    > &
      // Agent columns of the shared users table: the contract's Contact carries them too.
      Columns<AgentEntity, 'lastActiveAt' | 'lastLoginAt'>
  >;

export type PreviousConversationRow = Columns<ConversationEntity, 'id' | 'createdAt' | 'updatedAt' | 'uuid' | 'subject' | 'lastMessage' | 'lastMessageAt'> &
  Prefixed<'contact_', Columns<ContactEntity, 'firstName' | 'lastName' | 'avatarUrl'>>;

export type ParticipantRow = Columns<UserEntity, 'id' | 'firstName' | 'lastName' | 'avatarUrl'>;

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
