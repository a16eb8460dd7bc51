import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../../shared/auth/permissions.js';
import { hasPermission, type Principal } from '../../../shared/auth/principal.js';
import { Forbidden, InvalidFields, InvalidInput, NotFound } from '../../../shared/http/errors.js';
import { type CursorPageResults, cursorPageResults, parseListRequest } from '../../../shared/http/keyset.js';
import { InboxesService } from '../../inboxes/inboxes.service.js';
import { MediaService } from '../../media/media.service.js';
import { OutboxService } from '../../mail/outbox.service.js';
import { ConversationAccess } from '../conversation-access.service.js';
import { DefaultStatuses } from '../default-statuses.service.js';
import { ContactReplies } from './contact-replies.service.js';
import type { SendMessageDto } from './dto/send-message.dto.js';
import { AgentRepliesRepository } from './agent-replies.repository.js';
import { htmlToPlainText, messagePreview, sanitizeMessageHtml } from './message-content.js';
import { MESSAGE_TYPES, type MessageType } from '../entities/message.entity.js';
import type { MessageRow } from './message.rows.js';
import { MessageWriter } from './message-writer.service.js';
import { type Message, toMessage } from './messages.mapper.js';
import { type InsertedMessage, MessagesRepository } from './messages.repository.js';

type Query = Record<string, unknown>;

function parseFilters(query: Query): { private?: boolean; types?: MessageType[] } {
  const out: { private?: boolean; types?: MessageType[] } = {};
  if (query.private !== undefined) {
    if (query.private !== 'true' && query.private !== 'false') throw new InvalidFields({ private: 'must be true or false' });
    out.private = query.private === 'true';
  }
  if (query.type !== undefined) {
    const types = (Array.isArray(query.type) ? query.type : [query.type]) as unknown[];
    const bad = types.filter((t) => !(MESSAGE_TYPES as readonly unknown[]).includes(t));
    if (bad.length) throw new InvalidFields({ type: `must be one of ${MESSAGE_TYPES.join(', ')}` });
    out.types = [...new Set(types as MessageType[])];
  }
  return out;
}

/** Inbox `from` → Message-ID domain, as the JSON object the reply statement takes (few inboxes; bounded all the same). */
class MessageIdDomains {
  private readonly map = new Map<string, string>();
  json = '{}';

  learn(from: string, domain: string): void {
    if (this.map.size >= 1000) this.map.clear();
    this.map.set(from, domain);
    this.json = JSON.stringify(Object.fromEntries(this.map));
  }
}

/** Reading, sending and retrying messages of a conversation the caller may read. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: ConversationAccess,
    private readonly repo: MessagesRepository,
    private readonly writer: MessageWriter,
    private readonly contactReplies: ContactReplies,
    private readonly media: MediaService,
    private readonly inboxes: InboxesService,
    private readonly outbox: OutboxService,
    private readonly statuses: DefaultStatuses,
    private readonly replies: AgentRepliesRepository,
  ) {}

  /** The Message-ID domain of each inbox `from` seen so far, which the one-statement reply reads. */
  private readonly domains = new MessageIdDomains();

  async list(principal: Principal, uuid: string, query: Query): Promise<CursorPageResults<Message>> {
    const conversation = await this.access.readable(principal, uuid);
    const request = parseListRequest(query, 'm');
    const { rows, total } = await this.repo.page(conversation.id, parseFilters(query), request);
    const rendered = new Map((await this.render(rows)).map((m) => [m.id, m]));
    return cursorPageResults('m', rows, total, request, (row) => rendered.get(row.id)!);
  }

  async get(principal: Principal, conversationUuid: string, uuid: string): Promise<Message> {
    const conversation = await this.access.readable(principal, conversationUuid);
    const row = await this.repo.findInConversation(conversation.id, uuid);
    if (!row) throw new NotFound('Message not found');
    return (await this.render([row]))[0];
  }

  /**
   * A reply (queued for email), a private note (never emailed), or — with messages:write_as_contact —
   * a message recorded as the contact, which reopens the conversation.
   */
  async send(principal: Principal, conversationUuid: string, dto: SendMessageDto): Promise<Message> {
    const senderType = dto.sender_type ?? 'agent';
    const isPrivate = dto.private ?? false;
    // Pure work first, so the row lock below is held only for the statements.
    const content = sanitizeMessageHtml(dto.message);
    const textContent = htmlToPlainText(content);
    const empty = !textContent && !/<img\b/i.test(content) && !dto.attachments?.length;
    const attachments = dto.attachments ?? [];
    if (senderType === 'agent' && attachments.length === 0 && !empty) {
      const written = await this.agentReply(principal, conversationUuid, dto, content, textContent);
      if (written) return written;
    }
    const open = await this.statuses.get('Open');

    // Every read runs inside the transaction, on its one connection: the conversation is found by
    // uuid, locked, checked and its contact's email read in one statement. The checks keep their
    // order (404/403, then the sender, then the inbox, then the content), and a refusal rolls back
    // a transaction that wrote nothing. The answer is read before the commit: once the write is
    // committed nothing can fail any more, so a 5xx always means nothing was written and a retry
    // (which a released Idempotency-Key allows) is safe.
    return this.dataSource.transaction(async (m) => {
      const c = await this.access.lockReadableByUuid(principal, conversationUuid, m);
      if (senderType === 'contact') {
        if (isPrivate) throw new InvalidFields({ private: 'a contact message cannot be private' }, 'A contact message cannot be private');
        if (!hasPermission(principal, Permission.MessagesWriteAsContact)) throw new Forbidden('Permission denied');
      }
      const inbox = await this.inboxes.getForConversation(c.inbox_id, m);
      if (empty) throw new InvalidFields({ message: 'must not be empty' }, '`message` is empty');
      const recipients = senderType === 'agent' && !isPrivate ? this.recipients(c.contact_email, dto) : null;
      const base = { conversationId: c.id, contentType: 'html' as const, content, textContent };
      if (senderType === 'contact') {
        await this.contactReplies.onContactMessage(m, c, open);
        const message = await this.writer.write(
          m,
          { ...base, type: 'incoming', status: 'received', private: false, senderId: c.contact_id, senderType: 'contact', meta: {} },
          attachments,
        );
        return this.present(message, attachments, m);
      }
      if (isPrivate) {
        const note = await this.writer.write(
          m,
          { ...base, type: 'outgoing', status: 'sent', private: true, senderId: principal.id, senderType: 'agent', meta: {} },
          attachments,
        );
        return this.present(note, attachments, m);
      }
      const outgoing = {
        ...base,
        type: 'outgoing',
        status: 'pending',
        private: false,
        senderId: principal.id,
        senderType: 'agent',
        meta: recipients!,
      } as const;
      if (inbox.channel !== 'email') {
        // Delivered at once, which moves its status and the conversation's reply timestamps.
        const reply = await this.writer.write(m, outgoing, attachments);
        await this.outbox.enqueue(m, reply.id);
        return this.byId(reply.id, m);
      }
      const uuid = randomUUID();
      const sourceId = this.outbox.newMessageId(uuid, inbox.from);
      const reply = await this.writer.write(m, { ...outgoing, uuid, sourceId }, attachments);
      await this.outbox.enqueueNewEmail(m, reply.id);
      return this.present(reply, attachments, m);
    });
  }

  /**
   * An agent's reply or note without attachments, in one statement (AgentRepliesRepository), with the
   * refusals of the transaction below in the same order. Null when the conversation's inbox is not
   * an email inbox: such a reply is delivered at once, by the transaction below.
   */
  private async agentReply(principal: Principal, conversationUuid: string, dto: SendMessageDto, content: string, textContent: string): Promise<Message | null> {
    const isPrivate = dto.private ?? false;
    const to = dto.to?.length ? [...new Set(dto.to)] : null;
    const moreRecipients: Record<string, string[]> = {};
    if (dto.cc?.length) moreRecipients.cc = [...new Set(dto.cc)];
    if (dto.bcc?.length) moreRecipients.bcc = [...new Set(dto.bcc)];
    const reply = {
      conversationUuid,
      private: isPrivate,
      content,
      textContent,
      preview: messagePreview(textContent),
      to,
      moreRecipients,
      uuid: randomUUID(),
      maxAttempts: this.outbox.maxAttempts,
    };
    // Run again only after learning the Message-ID domain of an inbox address the last run lacked.
    for (let run = 1; ; run += 1) {
      const result = await this.replies.write(principal, { ...reply, domainsJson: this.domains.json });
      if (result.written) return toMessage(result, []);
      if (!result.found) throw new NotFound('Conversation not found');
      if (!result.allowed) throw new Forbidden('Permission denied');
      if (!result.inbox_found) throw new NotFound('Inbox not found');
      if (!result.inbox_enabled) throw new InvalidInput('Inbox is disabled');
      if (!isPrivate) this.recipients(result.contact_email, dto);
      if (result.channel !== 'email') return null;
      if (result.domain_known || !result.inbox_from || run > 2) throw new Error(`reply to ${conversationUuid} was refused for no known reason`);
      this.domains.learn(result.inbox_from, this.outbox.messageIdDomain({ inboxFrom: result.inbox_from }));
    }
  }

  /** Puts a `failed` reply back in the email queue. */
  async retry(principal: Principal, conversationUuid: string, uuid: string): Promise<Message> {
    const conversation = await this.access.readable(principal, conversationUuid);
    const row = await this.repo.findInConversation(conversation.id, uuid);
    if (!row) throw new NotFound('Message not found');
    return this.dataSource.transaction(async (m: EntityManager) => {
      await this.access.lockReadable(principal, conversation.id, m);
      const status = await this.repo.lockStatus(row.id, m);
      if (row.type !== 'outgoing' || row.private || row.sender_type !== 'agent') throw new InvalidInput('Only replies can be retried');
      if (status !== 'failed') throw new InvalidInput(`Only a failed reply can be retried; this one is ${status}`);
      await this.outbox.requeue(m, row.id);
      return this.byId(row.id, m);
    });
  }

  private async byId(id: number, manager?: EntityManager): Promise<Message> {
    const row = await this.repo.findById(id, manager);
    if (!row) throw new NotFound('Message not found');
    return (await this.render([row], manager))[0];
  }

  /** A message just written, from the row its insert returned (its attachments read only if it has any). */
  private async present(inserted: InsertedMessage, attachmentIds: number[], manager: EntityManager): Promise<Message> {
    const { assigned_user_id: _user, assigned_team_id: _team, ...row } = inserted;
    return attachmentIds.length ? (await this.render([row], manager))[0] : toMessage(row, []);
  }

  private async render(rows: MessageRow[], manager?: EntityManager): Promise<Message[]> {
    const attachments = await this.media.attachmentsForMessages(
      rows.map((r) => r.id),
      manager,
    );
    return rows.map((row) => toMessage(row, attachments.get(row.id) ?? []));
  }

  /** `to` defaults to the contact's email; cc and bcc are kept only when given. */
  private recipients(email: string | null, dto: SendMessageDto): Record<string, string[]> {
    let to = [...new Set(dto.to ?? [])];
    if (to.length === 0) {
      if (!email) throw new InvalidFields({ to: 'required: the contact has no email address' }, 'The contact has no email address; give `to`');
      to = [email];
    }
    const meta: Record<string, string[]> = { to };
    if (dto.cc?.length) meta.cc = [...new Set(dto.cc)];
    if (dto.bcc?.length) meta.bcc = [...new Set(dto.bcc)];
    return meta;
  }
}
