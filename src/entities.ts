import { AgentEntity } from './modules/agents/entities/agent.entity.js';
import { RoleEntity } from './modules/agents/entities/role.entity.js';
import { UserRoleEntity } from './modules/agents/entities/user-role.entity.js';
import { AiPromptEntity } from './modules/ai/entities/ai-prompt.entity.js';
import { AiProviderEntity } from './modules/ai/entities/ai-provider.entity.js';
import { ContactNoteEntity } from './modules/contacts/entities/contact-note.entity.js';
import { ContactEntity } from './modules/contacts/entities/contact.entity.js';
import { InboxEntity } from './modules/inboxes/entities/inbox.entity.js';
import { InboundMailboxEntity } from './modules/mail-inbound/entities/inbound-mailbox.entity.js';
import { InboundReceiptEntity } from './modules/mail-inbound/entities/inbound-receipt.entity.js';
import { MediaEntity } from './modules/media/entities/media.entity.js';
import { PriorityEntity } from './modules/statuses/entities/priority.entity.js';
import { StatusEntity } from './modules/statuses/entities/status.entity.js';
import { TeamMemberEntity } from './modules/teams/entities/team-member.entity.js';
import { SettingEntity } from './shared/database/entities/setting.entity.js';
import { UserEntity } from './shared/database/entities/user.entity.js';
import { ConversationLastSeenEntity } from './modules/conversations/entities/conversation-last-seen.entity.js';
import { ConversationParticipantEntity } from './modules/conversations/entities/conversation-participant.entity.js';
import { ConversationTagEntity } from './modules/conversations/entities/conversation-tag.entity.js';
import { ConversationEntity } from './modules/conversations/entities/conversation.entity.js';
import { MessageEntity } from './modules/conversations/entities/message.entity.js';
import { TagEntity } from './modules/conversations/entities/tag.entity.js';
import { ViewEntity } from './modules/conversations/entities/view.entity.js';
import { TeamEntity } from './modules/teams/entities/team.entity.js';
import { EmailOutboxEntity } from './modules/mail/entities/email-outbox.entity.js';
import { EventSequenceEntity } from './modules/events/entities/event-sequence.entity.js';
import { EventEntity } from './modules/events/entities/event.entity.js';
import { WebhookDeliveryEntity } from './modules/webhooks/entities/webhook-delivery.entity.js';
import { WebhookEntity } from './modules/webhooks/entities/webhook.entity.js';
import { IdempotencyKeyEntity } from './shared/database/entities/idempotency-key.entity.js';
import { CustomAttributeEntity } from './modules/custom-attributes/entities/custom-attribute.entity.js';
import { RateLimitCounterEntity } from './shared/database/entities/rate-limit-counter.entity.js';

/**
 * Every entity the data source maps: the app, the CLI (`ormconfig.ts`) and the schema-drift check all
 * read this one list. An entity missing here is unknown to TypeORM (forFeature fails at boot).
 */
export const ENTITIES = [
  // users (one table: the shared base and its children)
  UserEntity,
  // agents
  AgentEntity,
  RoleEntity,
  UserRoleEntity,
  // contacts
  ContactEntity,
  ContactNoteEntity,
  // teams
  TeamEntity,
  TeamMemberEntity,
  // statuses
  StatusEntity,
  PriorityEntity,
  // media, ai, inboxes
  MediaEntity,
  AiPromptEntity,
  AiProviderEntity,
  InboxEntity,
  // infrastructure
  SettingEntity,
  // conversations
  ConversationEntity,
  MessageEntity,
  ConversationParticipantEntity,
  ConversationTagEntity,
  TagEntity,
  ConversationLastSeenEntity,
  ViewEntity,
  // mail (outbound, inbound), events, webhooks
  EmailOutboxEntity,
  InboundMailboxEntity,
  InboundReceiptEntity,
  EventEntity,
  EventSequenceEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  // infrastructure: rate limits, idempotency keys
  RateLimitCounterEntity,
  IdempotencyKeyEntity,
  // custom attribute definitions
  CustomAttributeEntity,
];
