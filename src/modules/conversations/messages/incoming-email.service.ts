import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ContactsService } from '../../contacts/contacts.service.js';
import { ConversationEvents, scopeOf } from '../conversation-events.js';
import type { ConversationRef } from '../conversation.rows.js';
import { ConversationsRepository } from '../conversations.repository.js';
import { DefaultStatuses } from '../default-statuses.service.js';
import { ContactReplies } from './contact-replies.service.js';
import { EmailThreadsRepository } from './email-threads.repository.js';
import { htmlToPlainText, sanitizeMessageHtml } from './message-content.js';
import { MessageWriter } from './message-writer.service.js';

/** An email as the receiver parsed it, ready to be written as a message from its sender. */
export interface IncomingEmail {
  inboxId: number;
  /** The bare Message-ID; stored as the message's `source_id`. */
  messageId: string;
  /** In-Reply-To and References, bare, for threading. */
  threadIds: string[];
  sender: { email: string; firstName: string; lastName: string };
  subject: string;
  /** The email's HTML (or its text as HTML); sanitised here like any message. */
  html: string;
  meta: Record<string, unknown>;
  /** Stored media (not yet linked) to attach. */
  attachmentIds: number[];
}

export interface RecordedEmail {
  messageId: number;
  messageUuid: string;
  conversationUuid: string;
  newConversation: boolean;
}

/**
 * Incoming email becomes a message from its sender: in the conversation it answers, with the same side
 * effects as a message the contact posts through the API (reopen, waiting_since, events), or in a new
 * Open conversation. `claim` runs first in the same transaction; when it answers false (the email was
 * taken already) nothing is written.
 */
@Injectable()
export class IncomingEmails {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly threads: EmailThreadsRepository,
    private readonly repo: ConversationsRepository,
    private readonly contacts: ContactsService,
    private readonly contactReplies: ContactReplies,
    private readonly writer: MessageWriter,
    private readonly events: ConversationEvents,
    private readonly statuses: DefaultStatuses,
  ) {}

  /** The conversation an email with these Message-IDs (In-Reply-To, References) belongs to. */
  findConversation(ids: string[]): Promise<number | null> {
    return this.threads.conversationFor(ids);
  }

  /** The outgoing message a delivery report is about. */
  findOutgoing(ids: string[]): Promise<{ id: number; status: string } | null> {
    return this.threads.outgoingByMessageId(ids);
  }

  async record(email: IncomingEmail, claim: (m: EntityManager) => Promise<boolean>, onWritten?: (m: EntityManager, messageId: number) => Promise<void>) {
    const conversationId = await this.threads.conversationFor(email.threadIds);
    const open = await this.statuses.get('Open');
    return this.dataSource.transaction(async (m): Promise<RecordedEmail | null> => {
      if (!(await claim(m))) return null;
      const contact = await this.contacts.findOrCreateByEmail(m, email.sender);
      const existing = conversationId !== null ? await this.repo.lockRef(conversationId, m) : null;
      const written = existing ? await this.reply(m, existing, contact.id, email, open) : await this.start(m, contact.id, email, open.id);
      await onWritten?.(m, written.messageId);
      return written;
    });
  }

  private async reply(m: EntityManager, c: ConversationRef, senderId: number, email: IncomingEmail, open: Parameters<ContactReplies['onContactMessage']>[2]) {
    await this.contactReplies.onContactMessage(m, c, open);
    const message = await this.writer.write(m, this.message(c.id, senderId, email), email.attachmentIds);
    return { messageId: message.id, messageUuid: message.uuid, conversationUuid: c.uuid, newConversation: false };
  }

  /** As POST /conversations does for a contact-initiated conversation: `conversation.created` first, then its message. */
  private async start(m: EntityManager, contactId: number, email: IncomingEmail, openId: number) {
    const created = await this.repo.insert(m, { contactId, inboxId: email.inboxId, statusId: openId, subject: email.subject });
    const conversation = (await this.repo.lockRef(created.id, m))!;
    let message = { id: 0, uuid: '' };
    const held = await this.events.collect(m, async () => {
      message = await this.writer.write(m, this.message(conversation.id, contactId, email), email.attachmentIds);
    });
    await this.repo.markWaiting(m, conversation.id);
    await this.events.created(m, created.uuid, scopeOf(conversation));
    await this.events.release(m, held);
    return { messageId: message.id, messageUuid: message.uuid, conversationUuid: created.uuid, newConversation: true };
  }

  private message(conversationId: number, senderId: number, email: IncomingEmail) {
    const content = sanitizeMessageHtml(email.html);
    return {
      conversationId,
      type: 'incoming' as const,
      status: 'received' as const,
      private: false,
      contentType: 'html' as const,
      content,
      textContent: htmlToPlainText(content),
      senderId,
      senderType: 'contact' as const,
      meta: email.meta,
      sourceId: email.messageId,
    };
  }
}
