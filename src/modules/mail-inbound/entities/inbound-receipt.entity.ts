import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { MessageEntity } from '../../conversations/entities/message.entity.js';
import type { InboxEntity } from '../../inboxes/entities/inbox.entity.js';

export const RECEIPT_OUTCOMES = ['imported', 'auto_reply', 'loop', 'bounce', 'blocked'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

/** One email taken from a mailbox, by Message-ID (unique: the same email is never imported twice). */
@Entity('mail_inbound_receipts')
@Index('mail_inbound_receipts_message_id_key', ['messageId'], { unique: true })
// (inbox_id, created_at DESC): the descending order is not expressible here, so the migration owns it.
@Index('mail_inbound_receipts_inbox_idx', { synchronize: false })
// Deleting messages (a contact's deletion) sets conversation_message_id to NULL through this index.
@Index('mail_inbound_receipts_message_idx', ['conversationMessageId'], { where: 'conversation_message_id IS NOT NULL' })
@Check('mail_inbound_receipts_outcome_check', `outcome IN ('imported', 'auto_reply', 'loop', 'bounce', 'blocked')`)
export class InboundReceiptEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'mail_inbound_receipts_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'inbox_id', type: 'integer' })
  inboxId: number;

  @ManyToOne('InboxEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'mail_inbound_receipts_inbox_id_fkey' })
  inbox?: Relation<InboxEntity>;

  /** The bare Message-ID (no angle brackets); a synthetic one for mail that has none. */
  @Column({ name: 'message_id', type: 'text' })
  messageId: string;

  @Column({ name: 'uid_validity', type: 'bigint', nullable: true })
  uidValidity: string | null;

  @Column({ type: 'bigint', nullable: true })
  uid: string | null;

  @Column({ type: 'text' })
  outcome: ReceiptOutcome;

  @Column({ name: 'conversation_message_id', type: 'integer', nullable: true })
  conversationMessageId: number | null;

  @ManyToOne('MessageEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'conversation_message_id', foreignKeyConstraintName: 'mail_inbound_receipts_conversation_message_id_fkey' })
  conversationMessage?: Relation<MessageEntity> | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;
}
