import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { AgentEntity } from '../../agents/entities/agent.entity.js';
import type { ContactEntity } from '../../contacts/entities/contact.entity.js';
import type { InboxEntity } from '../../inboxes/entities/inbox.entity.js';
import type { PriorityEntity } from '../../statuses/entities/priority.entity.js';
import type { StatusEntity } from '../../statuses/entities/status.entity.js';
import type { TeamEntity } from '../../teams/entities/team.entity.js';
import type { ConversationLastSeenEntity } from './conversation-last-seen.entity.js';
import type { ConversationParticipantEntity } from './conversation-participant.entity.js';
import type { ConversationTagEntity } from './conversation-tag.entity.js';
import type { MessageEntity } from './message.entity.js';

export type SenderType = 'agent' | 'contact';

/**
 * A conversation with a contact in an inbox, and the preview of its last message. The list indexes are
 * `(… last_message_at DESC, id DESC)` in the migration (TypeORM does not model column order).
 */
@Entity('conversations')
@Unique('conversations_uuid_key', ['uuid'])
@Unique('conversations_reference_number_key', ['referenceNumber'])
@Index('conversations_activity_idx', ['lastMessageAt', 'id'])
@Index('conversations_assigned_user_idx', ['assignedUserId', 'lastMessageAt', 'id'])
@Index('conversations_assigned_team_idx', ['assignedTeamId', 'lastMessageAt', 'id'])
@Index('conversations_contact_idx', ['contactId', 'createdAt'])
@Index('conversations_status_idx', ['statusId'])
// The custom sorts of the lists (`order_by`), migration ListSortIndexes (priority: DESC NULLS LAST, id DESC).
@Index('conversations_created_idx', ['createdAt', 'id'])
@Index('conversations_waiting_idx', ['waitingSince', 'id'])
@Index('conversations_sla_deadline_idx', ['nextSlaDeadlineAt', 'id'])
@Index('conversations_priority_idx', ['priorityId', 'id'])
@Index('conversations_snoozed_idx', ['snoozedUntil'], { where: 'snoozed_until IS NOT NULL' })
// Search: lower(subject) text_pattern_ops btree and a trigram GIN (migrations SearchGrowth, SearchIndexes).
@Index('conversations_subject_lower_idx', { synchronize: false })
@Index('conversations_subject_trgm', { synchronize: false })
@Check('conversations_last_message_sender_check', `last_message_sender IN ('agent', 'contact')`)
@Check('conversations_last_interaction_sender_check', `last_interaction_sender IN ('agent', 'contact')`)
export class ConversationEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'conversations_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'uuid' })
  @Generated('uuid')
  uuid: string;

  /** `nextval(…)::text` in the migration; written as TypeORM reads a default back (without casts). */
  @Column({ name: 'reference_number', type: 'text', default: () => "(nextval('conversation_reference_number_sequence'))" })
  referenceNumber: string;

  @Column({ name: 'contact_id', type: 'integer' })
  contactId: number;

  @ManyToOne('ContactEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'conversations_contact_id_fkey' })
  contact?: Relation<ContactEntity>;

  @Column({ name: 'assigned_user_id', type: 'integer', nullable: true })
  assignedUserId: number | null;

  @ManyToOne('AgentEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assigned_user_id', foreignKeyConstraintName: 'conversations_assigned_user_id_fkey' })
  assignedUser?: Relation<AgentEntity> | null;

  @Column({ name: 'assigned_team_id', type: 'integer', nullable: true })
  assignedTeamId: number | null;

  @ManyToOne('TeamEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assigned_team_id', foreignKeyConstraintName: 'conversations_assigned_team_id_fkey' })
  assignedTeam?: Relation<TeamEntity> | null;

  @Column({ name: 'inbox_id', type: 'integer' })
  inboxId: number;

  @ManyToOne('InboxEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'conversations_inbox_id_fkey' })
  inbox?: Relation<InboxEntity>;

  @Column({ name: 'status_id', type: 'integer' })
  statusId: number;

  @ManyToOne('StatusEntity', { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'status_id', foreignKeyConstraintName: 'conversations_status_id_fkey' })
  status?: Relation<StatusEntity>;

  @Column({ name: 'priority_id', type: 'integer', nullable: true })
  priorityId: number | null;

  @ManyToOne('PriorityEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'priority_id', foreignKeyConstraintName: 'conversations_priority_id_fkey' })
  priority?: Relation<PriorityEntity> | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  meta: Record<string, unknown>;

  @Column({ name: 'custom_attributes', type: 'jsonb', default: () => "'{}'" })
  customAttributes: Record<string, unknown>;

  @Column({ type: 'text', default: '' })
  subject: string;

  @Column({ name: 'contact_last_seen_at', type: 'timestamptz', nullable: true })
  contactLastSeenAt: Date | null;

  @Column({ name: 'first_reply_at', type: 'timestamptz', nullable: true })
  firstReplyAt: Date | null;

  @Column({ name: 'last_reply_at', type: 'timestamptz', nullable: true })
  lastReplyAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'waiting_since', type: 'timestamptz', nullable: true })
  waitingSince: Date | null;

  @Column({ name: 'snoozed_until', type: 'timestamptz', nullable: true })
  snoozedUntil: Date | null;

  /** SLA is not implemented (reference §5.4): always null. */
  @Column({ name: 'sla_policy_id', type: 'integer', nullable: true })
  slaPolicyId: number | null;

  @Column({ name: 'next_sla_deadline_at', type: 'timestamptz', nullable: true })
  nextSlaDeadlineAt: Date | null;

  @Column({ name: 'last_message', type: 'text', default: '' })
  lastMessage: string;

  @Column({ name: 'last_message_at', type: 'timestamptz', default: () => 'now()' })
  lastMessageAt: Date;

  @Column({ name: 'last_message_sender', type: 'text', nullable: true })
  lastMessageSender: SenderType | null;

  @Column({ name: 'last_message_sender_id', type: 'integer', nullable: true })
  lastMessageSenderId: number | null;

  /** The last message the contact sees (not private notes, not activity). */
  @Column({ name: 'last_interaction', type: 'text', nullable: true })
  lastInteraction: string | null;

  @Column({ name: 'last_interaction_at', type: 'timestamptz', nullable: true })
  lastInteractionAt: Date | null;

  @Column({ name: 'last_interaction_sender', type: 'text', nullable: true })
  lastInteractionSender: SenderType | null;

  @Column({ name: 'last_interaction_sender_id', type: 'integer', nullable: true })
  lastInteractionSenderId: number | null;

  @OneToMany('MessageEntity', (message: MessageEntity) => message.conversation)
  messages?: Relation<MessageEntity>[];

  @OneToMany('ConversationParticipantEntity', (participant: ConversationParticipantEntity) => participant.conversation)
  participants?: Relation<ConversationParticipantEntity>[];

  @OneToMany('ConversationTagEntity', (link: ConversationTagEntity) => link.conversation)
  tagLinks?: Relation<ConversationTagEntity>[];

  @OneToMany('ConversationLastSeenEntity', (seen: ConversationLastSeenEntity) => seen.conversation)
  lastSeen?: Relation<ConversationLastSeenEntity>[];
}
