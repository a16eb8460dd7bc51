import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';
import type { InboxEntity } from '../../inboxes/entities/inbox.entity.js';

/** FK inbox_id → inboxes (ON DELETE CASCADE). Receiving state of one email inbox's IMAP mailbox: UID progress, the receiving lease, health, counters. */
@Entity('mail_inbound_mailboxes')
export class InboundMailboxEntity {
  @PrimaryColumn({ name: 'inbox_id', type: 'integer', primaryKeyConstraintName: 'mail_inbound_mailboxes_pkey' })
  inboxId: number;

  @OneToOne('InboxEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'inbox_id', foreignKeyConstraintName: 'mail_inbound_mailboxes_inbox_id_fkey' })
  inbox?: Relation<InboxEntity>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** The folder `uid_validity` and `last_uid` refer to; another folder starts over. */
  @Column({ type: 'text', default: 'INBOX' })
  mailbox: string;

  @Column({ name: 'uid_validity', type: 'bigint', nullable: true })
  uidValidity: string | null;

  @Column({ name: 'last_uid', type: 'bigint', default: 0 })
  lastUid: string;

  /** UIDs at or below `last_uid` whose import failed, with their attempt counts, tried again later. */
  @Column({ name: 'retry_uids', type: 'jsonb', default: () => "'{}'" })
  retryUids: Record<string, number>;

  @Column({ name: 'lease_owner', type: 'uuid', nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ type: 'boolean', nullable: true })
  ok: boolean | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt: Date | null;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  @Column({ name: 'imported_count', type: 'integer', default: 0 })
  importedCount: number;

  @Column({ name: 'dropped_count', type: 'integer', default: 0 })
  droppedCount: number;

  @Column({ name: 'bounce_count', type: 'integer', default: 0 })
  bounceCount: number;

  @Column({ name: 'blocked_count', type: 'integer', default: 0 })
  blockedCount: number;
}
