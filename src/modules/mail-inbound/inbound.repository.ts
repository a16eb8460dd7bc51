import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { InboundMailboxEntity } from './entities/inbound-mailbox.entity.js';
import type { ReceiptOutcome } from './entities/inbound-receipt.entity.js';

export type Counter = 'imported_count' | 'dropped_count' | 'bounce_count' | 'blocked_count';

export interface NewReceipt {
  inboxId: number;
  messageId: string;
  uidValidity: string | null;
  uid: number | null;
  outcome: ReceiptOutcome;
  detail?: string | null;
}

/** Named queries over `mail_inbound_mailboxes` (receiving state, lease, health) and `mail_inbound_receipts`. */
@Injectable()
export class InboundRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(InboundMailboxEntity) private readonly mailboxes: Repository<InboundMailboxEntity>,
  ) {}

  /**
   * Takes (or renews) the right to receive for an inbox: free, expired, or already ours. Only one
   * process across the instances sharing the database holds it at a time.
   */
  async acquireLease(inboxId: number, owner: string, seconds: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO mail_inbound_mailboxes (inbox_id, lease_owner, lease_until) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (inbox_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until, updated_at = now()
        WHERE mail_inbound_mailboxes.lease_owner IS NULL OR mail_inbound_mailboxes.lease_owner = EXCLUDED.lease_owner
           OR mail_inbound_mailboxes.lease_until IS NULL OR mail_inbound_mailboxes.lease_until < now()
       RETURNING inbox_id`,
      [inboxId, owner, seconds],
    );
    return rows.length > 0;
  }

  async releaseLease(inboxId: number, owner: string): Promise<void> {
    await this.dataSource.query(`UPDATE mail_inbound_mailboxes SET lease_owner = NULL, lease_until = NULL WHERE inbox_id = $1 AND lease_owner = $2`, [
      inboxId,
      owner,
    ]);
  }

  state(inboxId: number): Promise<InboundMailboxEntity | null> {
    return this.mailboxes.findOneBy({ inboxId });
  }

  statuses(inboxIds: number[]): Promise<InboundMailboxEntity[]> {
    return this.mailboxes.findBy({ inboxId: In(inboxIds) });
  }

  /** Starts over on another folder or a new UIDVALIDITY, from `lastUid`. */
  async resetProgress(inboxId: number, mailbox: string, uidValidity: string, lastUid: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE mail_inbound_mailboxes SET mailbox = $2, uid_validity = $3, last_uid = $4, retry_uids = '{}', updated_at = now() WHERE inbox_id = $1`,
      [inboxId, mailbox, uidValidity, lastUid],
    );
  }

  /** The UID is done (imported, dropped, or given up on); a failed one is kept for `retry` more tries. */
  async recordProgress(inboxId: number, uid: number, retry: number | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE mail_inbound_mailboxes
          SET last_uid = GREATEST(last_uid, $2),
              retry_uids = CASE WHEN $3::int IS NULL THEN retry_uids - $2::text ELSE retry_uids || jsonb_build_object($2::text, $3::int) END,
              updated_at = now()
        WHERE inbox_id = $1`,
      [inboxId, uid, retry],
    );
  }

  async recordHealth(inboxId: number, error: string | null): Promise<void> {
    await this.dataSource.query(
      error === null
        ? `UPDATE mail_inbound_mailboxes SET ok = true, last_success_at = now(), updated_at = now() WHERE inbox_id = $1`
        : `UPDATE mail_inbound_mailboxes SET ok = false, last_error = $2, last_error_at = now(), updated_at = now() WHERE inbox_id = $1`,
      error === null ? [inboxId] : [inboxId, error.slice(0, 2000)],
    );
  }

  async receiptExists(messageId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM mail_inbound_receipts WHERE message_id = $1`, [messageId]);
    return rows.length > 0;
  }

  /**
   * Records that the email was taken, and counts it; false when its Message-ID was taken before (the
   * unique index decides, also between concurrent importers).
   */
  async insertReceipt(receipt: NewReceipt, counter: Counter, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO mail_inbound_receipts (inbox_id, message_id, uid_validity, uid, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (message_id) DO NOTHING RETURNING id`,
      [receipt.inboxId, receipt.messageId, receipt.uidValidity, receipt.uid, receipt.outcome, receipt.detail ?? null],
    );
    if (rows.length === 0) return false;
    await manager.query(`UPDATE mail_inbound_mailboxes SET ${counter} = ${counter} + 1 WHERE inbox_id = $1`, [receipt.inboxId]);
    return true;
  }

  async linkReceipt(manager: EntityManager, messageId: string, conversationMessageId: number): Promise<void> {
    await manager.query(`UPDATE mail_inbound_receipts SET conversation_message_id = $2 WHERE message_id = $1`, [messageId, conversationMessageId]);
  }
}
