import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../shared/config/app-config.js';
import { BackgroundLoop } from '../../shared/worker/background-loop.js';
import { MailComposer } from './mail-composer.js';
import { messageIdFor } from './mail-headers.js';
import { type ClaimedEntry, OutboxRepository } from './outbox.repository.js';
import { isDeliverable, OutboxService } from './outbox.service.js';
import { SmtpTransports } from './smtp-transports.js';

const BATCH_SIZE = 10;
const UNCONFIGURED_RETRY_MS = 60_000;
const UNCONFIGURED_WARN_EVERY_MS = 10 * 60_000;

/**
 * Delivers the email outbox from inside the server process: claim due entries under a lease, send
 * each over SMTP, record the outcome. Several server instances can run it against one database;
 * a claim is exclusive, and a crashed worker's claims come back when their lease expires.
 */
@Injectable()
export class MailWorker extends BackgroundLoop {
  protected readonly logger = new Logger(MailWorker.name);
  private readonly unconfiguredWarnedAt = new Map<number, number>();

  constructor(
    private readonly repo: OutboxRepository,
    private readonly outbox: OutboxService,
    private readonly transports: SmtpTransports,
    private readonly composer: MailComposer,
    private readonly config: AppConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  protected enabled(): boolean {
    return this.config.MAIL_WORKER_ENABLED;
  }

  protected errorDelayMs(): number {
    return this.config.MAIL_POLL_INTERVAL_MS;
  }

  /** A full batch means more is probably due: the next round starts at once. */
  protected async tick(): Promise<number> {
    return (await this.runOnce()) >= BATCH_SIZE ? 0 : this.config.MAIL_POLL_INTERVAL_MS;
  }

  /** One claim-and-send round; returns how many entries it claimed. */
  async runOnce(): Promise<number> {
    const entries = await this.repo.claim(BATCH_SIZE, this.config.MAIL_LEASE_SECONDS, randomUUID());
    await Promise.all(entries.map((entry) => this.deliver(entry)));
    return entries.length;
  }

  private async deliver(entry: ClaimedEntry): Promise<void> {
    try {
      await this.attempt(entry);
    } catch (err) {
      // Recording the outcome failed (the database went away): the lease expires and the entry is retried.
      this.logger.error(`Email outbox entry ${entry.id} (message ${entry.messageId}): ${describe(err)}`);
    }
  }

  private async attempt(entry: ClaimedEntry): Promise<void> {
    if (entry.attempts > entry.maxAttempts) {
      await this.outbox.recordFailure(entry, 'Delivery was interrupted repeatedly (worker lease expired)', true);
      return;
    }
    const message = await this.outbox.messages.find(entry.messageId);
    if (!message) return;
    if (!isDeliverable(message) || message.inboxChannel !== 'email') {
      await this.outbox.recordSkipped(entry, 'only outgoing, non-private agent messages in email inboxes are emailed');
      return;
    }
    if (message.status !== 'pending') {
      await this.outbox.recordSkipped(entry, `the message is ${message.status}, not pending`);
      return;
    }
    const route = await this.transports.forInbox(message.inboxId, message.inboxFrom);
    if (!route) {
      this.warnUnconfigured(message.inboxId);
      await this.outbox.recordDeferred(entry, 'No SMTP server configured for this inbox (and no SMTP_HOST)', UNCONFIGURED_RETRY_MS);
      return;
    }
    let messageId = message.sourceId;
    if (!messageId) {
      messageId = messageIdFor(message.uuid, this.outbox.messageIdDomain(message, route.from));
      await this.outbox.messages.setSourceId(message.id, messageId);
    }
    const domain = messageId.slice(messageId.lastIndexOf('@') + 1).replace(/>$/, '') || 'localhost';
    try {
      const mail = await this.composer.compose(message, route.from, messageId, domain);
      if (!mail) {
        await this.outbox.recordFailure(entry, 'No recipient: no `to` address and the contact has no email', true);
        return;
      }
      await route.transport.sendMail(mail);
    } catch (err) {
      await this.outbox.recordFailure(entry, describe(err), isPermanentSmtpRejection(err));
      return;
    }
    await this.outbox.recordSent(entry);
  }

  private warnUnconfigured(inboxId: number): void {
    const now = Date.now();
    if (now - (this.unconfiguredWarnedAt.get(inboxId) ?? 0) < UNCONFIGURED_WARN_EVERY_MS) return;
    this.unconfiguredWarnedAt.set(inboxId, now);
    this.logger.warn(`Inbox ${inboxId} has outgoing email waiting but no SMTP server: set its SMTP settings (or SMTP_HOST). The messages stay pending.`);
  }
}

/** A 5xx reply (`550 mailbox unavailable`) will not change on retry; 4xx, timeouts and connection errors may. */
export function isPermanentSmtpRejection(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code <= 599;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
