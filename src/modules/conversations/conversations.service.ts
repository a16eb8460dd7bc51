import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import { InvalidFields, NotFound } from '../../shared/http/errors.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { CustomAttributeValidator } from '../custom-attributes/custom-attribute-validator.js';
import { InboxesService } from '../inboxes/inboxes.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { ConversationAccess } from './conversation-access.service.js';
import { ConversationAssignment, type NamedRef } from './conversation-assignment.service.js';
import { ConversationEvents, scopeOf } from './conversation-events.js';
import { type Conversation, toConversation, toParticipant } from './conversations.mapper.js';
import { ConversationsRepository } from './conversations.repository.js';
import { DefaultStatuses } from './default-statuses.service.js';
import type { CreateConversationDto } from './dto/create-conversation.dto.js';
import { htmlToPlainText, sanitizeMessageHtml } from './messages/message-content.js';
import { actorOf, MessageWriter } from './messages/message-writer.service.js';

/** Creating and reading whole conversations. */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ConversationsRepository,
    private readonly access: ConversationAccess,
    private readonly assignment: ConversationAssignment,
    private readonly writer: MessageWriter,
    private readonly contacts: ContactsService,
    private readonly inboxes: InboxesService,
    private readonly statuses: DefaultStatuses,
    private readonly outbox: OutboxService,
    private readonly events: ConversationEvents,
    private readonly customAttributes: CustomAttributeValidator,
  ) {}

  /**
   * One transaction: the contact (found by email or created), the conversation with its reference
   * number, the optional team and agent (with their activity), and the first message, incoming from
   * the contact or an outgoing reply queued for email.
   */
  async create(principal: Principal, dto: CreateConversationDto): Promise<Conversation> {
    const inbox = await this.inboxes.getForConversation(dto.inbox_id);
    const team: NamedRef | null = dto.team_id ? await this.assignment.resolveTeam(dto.team_id, 'team_id') : null;
    const agent: NamedRef | null = dto.agent_id ? await this.assignment.resolveAgent(dto.agent_id, 'agent_id') : null;
    const open = await this.statuses.get('Open');
    const content = sanitizeMessageHtml(dto.content);
    const textContent = htmlToPlainText(content);
    if (!textContent && !dto.attachments?.length) throw new InvalidFields({ content: 'must not be empty' }, '`content` is empty');
    const actor = actorOf(principal);
    const customAttributes = dto.custom_attributes
      ? (await this.customAttributes.validate('conversation', dto.custom_attributes, { unknownKeys: 'drop' })).values
      : {};

    // The answer is read before the commit, so a failure after it (and a retry that writes twice) cannot happen.
    return this.dataSource.transaction(async (m) => {
      const contact = await this.contacts.findOrCreateByEmail(m, {
        email: dto.contact_email,
        firstName: dto.first_name,
        lastName: dto.last_name ?? '',
      });
      const created = await this.repo.insert(m, { contactId: contact.id, inboxId: inbox.id, statusId: open.id, subject: dto.subject ?? '', customAttributes });
      const conversation = (await this.repo.lockRef(created.id, m))!;
      const fromContact = dto.initiator === 'contact';
      let messageId = 0;
      const held = await this.events.collect(m, async () => {
        if (team) await this.assignment.assignTeam(m, conversation, team, actor);
        if (agent) await this.assignment.assignUser(m, conversation, agent, actor);
        const message = await this.writer.write(
          m,
          {
            conversationId: conversation.id,
            type: fromContact ? 'incoming' : 'outgoing',
            status: fromContact ? 'received' : 'pending',
            private: false,
            contentType: 'html',
            content,
            textContent,
            senderId: fromContact ? contact.id : actor.id,
            senderType: fromContact ? 'contact' : 'agent',
            meta: fromContact ? {} : { to: [dto.contact_email] },
          },
          dto.attachments ?? [],
        );
        messageId = message.id;
      });
      if (fromContact) await this.repo.markWaiting(m, conversation.id);
      await this.events.created(m, created.uuid, scopeOf(conversation));
      await this.events.release(m, held);
      if (!fromContact) await this.outbox.enqueue(m, messageId);
      return this.detail(principal, created.uuid, false, m);
    });
  }

  async get(principal: Principal, uuid: string): Promise<Conversation> {
    await this.access.readable(principal, uuid);
    return this.detail(principal, uuid, true);
  }

  async participants(principal: Principal, uuid: string) {
    const conversation = await this.access.readable(principal, uuid);
    return (await this.repo.participants(conversation.id)).map(toParticipant);
  }

  /**
   * The full conversation as the viewer sees it; `previous` adds the contact's other conversations
   * (as GET shows it). With `manager`, read inside that transaction.
   */
  async detail(principal: Principal, uuid: string, previous: boolean, manager?: EntityManager): Promise<Conversation> {
    const row = await this.repo.findDetail(uuid, principal.id, manager);
    if (!row) throw new NotFound('Conversation not found');
    const others = previous ? await this.repo.previousConversations(row.contact_id, row.id, principal, manager) : [];
    return toConversation(row, others);
  }
}
