import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { UserEntity } from '../../../shared/database/entities/user.entity.js';
import type { ConversationEntity, SenderType } from './conversation.entity.js';

export const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type MessageStatus = 'received' | 'sent' | 'failed' | 'pending';
export type MessageContentType = 'text' | 'html';

/** A message of a conversation: from the contact, a reply or private note of an agent, or an activity line. */
@Entity('conversation_messages')
@Unique('conversation_messages_uuid_key', ['uuid'])
@Index('conversation_messages_conversation_idx', ['conversationId', 'createdAt', 'id'])
// Deleting a user sets sender_id to NULL through this index (migration ContactLifecycle).
@Index('conversation_messages_sender_idx', ['senderId'])
@Index('conversation_messages_pending_idx', ['status'], { where: `status IN ('pending', 'failed')` })
// Threading of inbound email looks replies up by Message-ID (migration InboundEmail).
@Index('conversation_messages_source_id_idx', ['sourceId'], { where: 'source_id IS NOT NULL' })
// Message search: a trigram GIN over text_content of non-activity messages (migration SearchIndexes).
@Index('conversation_messages_text_trgm', { synchronize: false })
// Message search by words: a GIN over search_vector of non-activity messages (migration MessageFullText).
@Index('conversation_messages_search_idx', { synchronize: false })
@Check('conversation_messages_type_check', `type IN ('incoming', 'outgoing', 'activity')`)
@Check('conversation_messages_status_check', `status IN ('received', 'sent', 'failed', 'pending')`)
@Check('conversation_messages_content_type_check', `content_type IN ('text', 'html')`)
@Check('conversation_messages_sender_type_check', `sender_type IN ('agent', 'contact')`)
export class MessageEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'conversation_messages_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'uuid' })
  @Generated('uuid')
  uuid: string;

  @Column({ type: 'text' })
  type: MessageType;

  @Column({ type: 'text' })
  status: MessageStatus;

  @Column({ type: 'boolean', default: false })
  private: boolean;

  @Column({ name: 'conversation_id', type: 'integer' })
  conversationId: number;

  @ManyToOne('ConversationEntity', (conversation: ConversationEntity) => conversation.messages, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_messages_conversation_id_fkey' })
  conversation?: Relation<ConversationEntity>;

  @Column({ name: 'content_type', type: 'text', default: 'html' })
  contentType: MessageContentType;

  @Column({ type: 'text', default: '' })
  content: string;

  /** The content as plain text (search, previews). */
  @Column({ name: 'text_content', type: 'text', default: '' })
  textContent: string;

  /** English stems of the first 100,000 characters of text_content (word search), kept by a trigger; never selected. */
  @Column({ name: 'search_vector', type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  searchVector?: string | null;

  /** The email Message-ID. */
  @Column({ name: 'source_id', type: 'text', nullable: true })
  sourceId: string | null;

  @Column({ name: 'sender_id', type: 'integer', nullable: true })
  senderId: number | null;

  @ManyToOne('UserEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'sender_id', foreignKeyConstraintName: 'conversation_messages_sender_id_fkey' })
  sender?: Relation<UserEntity> | null;

  @Column({ name: 'sender_type', type: 'text' })
  senderType: SenderType;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  meta: Record<string, unknown>;
}
