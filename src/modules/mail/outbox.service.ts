import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../shared/config/app-config.js';
import { EventsService } from '../events/events.service.js';
import { backoffMs, domainOf, messageIdFor } from './mail-headers.js';
import type { MessageStatus } from '../conversations/entities/message.entity.js';
import { type ClaimedEntry, OutboxRepository } from './outbox.repository.js';
import type { OutgoingMessage, OutgoingMessages } from './outgoing-messages.js';

/** Runs in the transaction that marks a message `sent`, so the conversation's reply timestamps move with it. */
export type DeliveredHook = (manager: EntityManager, messageId: number) => Promise<void>;

/** Outgoing, not private, written by an agent: the only messages that are ever emailed. */
export function isDeliverable(message: Pick<OutgoingMessage, 'type' | 'private' | 'senderType'>): boolean {
  return message.type === 'outgoing' && !message.private && message.senderType === 'agent';
}

/**
 * `enqueueNewEmail` inside a writer's own single statement (a data-modifying CTE): `select` yields
 * (message id, max attempts) of a message just written with its Message-ID.
 */
export const enqueueNewEmailSql = (select: string): string =>
  `INSERT INTO email_outbox (message_id, max_attempts) ${select} ON CONFLICT (message_id) DO NOTHING`;

/**
 * The email outbox: callers queue a message in their own transaction, and the mail worker records
 * each attempt's outcome here.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);
  private readonly deliveredHooks: DeliveredHook[] = [];
  private outgoing: OutgoingMessages | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: OutboxRepository,
    private readonly config: AppConfig,
    private readonly events: EventsService,
  ) {}

  onDelivered(hook: DeliveredHook): void {
    this.deliveredHooks.push(hook);
  }

  /** The conversations module's access to the messages the outbox delivers (it registers it at start). */
  useMessages(messages: OutgoingMessages): void {
    this.outgoing = messages;
  }

  get messages(): OutgoingMessages {
    if (!this.outgoing) throw new Error('No OutgoingMessages registered: the conversations module is not loaded');
    return this.outgoing;
  }

  /**
   * Queues a `pending` message for delivery, in the caller's transaction, and gives it its
   * Message-ID (`source_id`). A message in a non-email inbox has no email to wait for: it is
   * marked `sent` right away.
   */
  async enqueue(manager: EntityManager, messageId: number): Promise<void> {
    await this.arm(manager, messageId, false);
  }

  /**
   * Queues a reply its writer has just inserted, in an email inbox, with its Message-ID
   * (`newMessageId`) already set: one insert, where `enqueue` reads the message first.
   */
  async enqueueNewEmail(manager: EntityManager, messageId: number): Promise<void> {
    await this.repo.arm(manager, messageId, this.config.MAIL_MAX_ATTEMPTS, false);
  }

  /** Puts a message back in the queue as new: status `pending`, attempts reset. */
  async requeue(manager: EntityManager, messageId: number): Promise<void> {
    await this.arm(manager, messageId, true);
  }

  private async arm(manager: EntityManager, messageId: number, reset: boolean): Promise<void> {
    const message = await this.messages.find(messageId, manager);
    if (!message) throw new Error(`Cannot queue message ${messageId}: it does not exist`);
    if (!isDeliverable(message)) throw new Error(`Cannot queue message ${messageId}: only outgoing, non-private agent messages are emailed`);
    if (reset) await this.setStatus(manager, messageId, null, 'pending');
    if (message.inboxChannel !== 'email') {
      await this.delivered(manager, messageId);
      return;
    }
    if (!message.sourceId) await this.messages.setSourceId(messageId, this.newMessageId(message.uuid, message.inboxFrom), manager);
    await this.repo.arm(manager, messageId, this.config.MAIL_MAX_ATTEMPTS, reset);
  }

  get maxAttempts(): number {
    return this.config.MAIL_MAX_ATTEMPTS;
  }

  /** The Message-ID a message queued in an inbox sending from `inboxFrom` goes out with. */
  newMessageId(messageUuid: string, inboxFrom: string): string {
    return messageIdFor(messageUuid, this.messageIdDomain({ inboxFrom }));
  }

  /** The domain of the inbox's sender address, so replies thread under the inbox's own domain. */
  messageIdDomain(message: Pick<OutgoingMessage, 'inboxFrom'>, smtpFrom?: string | null): string {
    const rootHost = this.config.ROOT_URL ? new URL(this.config.ROOT_URL).hostname : null;
    return domainOf(smtpFrom) ?? domainOf(message.inboxFrom) ?? domainOf(this.config.INBOX_EMAIL) ?? rootHost ?? 'localhost';
  }

  /** The message went out: entry and message `sent`, and the delivered hooks, in one transaction. */
  async recordSent(entry: ClaimedEntry): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.markSent(m, entry.id))) return;
      await this.delivered(m, entry.messageId);
    });
  }

  /** A failed attempt: retried with exponential backoff until `max_attempts`, then the message is `failed`. */
  async recordFailure(entry: ClaimedEntry, error: string, permanent = false): Promise<void> {
    const final = permanent || entry.attempts >= entry.maxAttempts;
    const retryIn = backoffMs(this.config.MAIL_RETRY_BASE_MS, entry.attempts);
    await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.markAttemptFailed(m, entry, error, final, retryIn))) return;
      if (final) await this.setStatus(m, entry.messageId, 'pending', 'failed');
    });
    if (final) this.logger.warn(`Giving up on message ${entry.messageId} after ${entry.attempts} attempt(s): ${error}`);
    else this.logger.warn(`Sending message ${entry.messageId} failed (attempt ${entry.attempts}/${entry.maxAttempts}), retrying in ${retryIn} ms: ${error}`);
  }

  /** Nothing to send with (no SMTP server): the message stays `pending` and is tried again later. */
  async recordDeferred(entry: ClaimedEntry, reason: string, retryInMs: number): Promise<void> {
    await this.repo.defer(entry, reason, retryInMs);
  }

  /** The entry is settled without touching the message (it is not, or no longer, something to email). */
  async recordSkipped(entry: ClaimedEntry, reason: string): Promise<void> {
    await this.dataSource.transaction((m) => this.repo.markAttemptFailed(m, entry, reason, true, 0));
    this.logger.warn(`Not emailing message ${entry.messageId}: ${reason}`);
  }

  /**
   * A delivery-status notification says an email we sent never arrived: the message is `failed` at
   * once with the report's reason (in its meta and the outbox entry) and `message.updated` is recorded.
   * False when it was failed already.
   */
  async recordBounce(messageId: number, reason: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      if (!(await this.setStatus(m, messageId, null, 'failed'))) return false;
      await this.repo.recordBounce(m, messageId, reason);
      return true;
    });
  }

  private async delivered(manager: EntityManager, messageId: number): Promise<void> {
    if (!(await this.setStatus(manager, messageId, 'pending', 'sent'))) return;
    for (const hook of this.deliveredHooks) await hook(manager, messageId);
  }

  /** A delivery status change and its `message.updated` event, in the caller's transaction; false when there was none. */
  private async setStatus(manager: EntityManager, messageId: number, from: MessageStatus | null, to: MessageStatus): Promise<boolean> {
    const change = await this.messages.setStatus(manager, messageId, from, to);
    if (!change) return false;
    await this.events.record(
      manager,
      'message.updated',
      { message_uuid: change.messageUuid, conversation_uuid: change.conversationUuid, status: to, previous_status: change.previousStatus },
      { conversationId: change.conversationId, assignedUserId: change.assignedUserId, assignedTeamId: change.assignedTeamId },
    );
    return true;
  }
}
