import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const RECEIPT_OUTCOMES = ['imported', 'auto_reply', 'loop', 'bounce', 'blocked'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

/** One email taken from a mailbox, by Message-ID (unique: the same email is never imported twice). */
@Entity('mail_inbound_receipts')
@Index('mail_inbound_receipts_message_id_key', ['messageId'], { unique: true })
// (inbox_id, created_at DESC): the descending order is not expressible here, so the migration owns it.
@Index('mail_inbound_receipts_inbox_idx', { synchronize: false })
@Check(`outcome IN ('imported', 'auto_reply', 'loop', 'bounce', 'blocked')`)
export class InboundReceiptEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'inbox_id', type: 'integer' })
  inboxId: number;

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

  @Column({ type: 'text', nullable: true })
  detail: string | null;
}
