import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { fullName } from '../../../shared/auth/principal.js';
import { Activities } from '../activity.js';
import { ConversationEvents } from '../conversation-events.js';
import type { ConversationRef } from '../conversation.rows.js';
import { ConversationsRepository } from '../conversations.repository.js';
import type { StatusRef } from '../../statuses/statuses.service.js';
import { MessageWriter } from './message-writer.service.js';

/** What a message from the contact does to its conversation (reference §5.6). */
@Injectable()
export class ContactReplies {
  constructor(
    private readonly repo: ConversationsRepository,
    private readonly writer: MessageWriter,
    private readonly events: ConversationEvents,
  ) {}

  /**
   * Before the contact's message is written: a conversation that is not Open is reopened by the
   * System user (with its activity, so the contact's message stays the latest), and an assignee who
   * asked to be reassigned while away lets go. The conversation then waits for an answer.
   */
  async onContactMessage(manager: EntityManager, conversation: ConversationRef, open: StatusRef): Promise<void> {
    await this.repo.markWaiting(manager, conversation.id);
    if (conversation.status_id !== open.id) {
      await this.repo.setStatus(manager, conversation.id, open, null);
      await this.events.statusChanged(manager, conversation, conversation.status, open.name, null);
      const system = await this.repo.systemUser(manager);
      if (system) {
        const actor = { id: system.id, name: fullName(system) };
        await this.writer.activity(manager, conversation.id, actor, Activities.status(actor.name, open.name));
      }
    }
    if (conversation.assigned_user_id !== null && (await this.repo.assigneeIsReassigning(manager, conversation.assigned_user_id))) {
      const previous = conversation.assigned_user_id;
      await this.repo.setAssignedUser(manager, conversation.id, null);
      conversation.assigned_user_id = null;
      await this.events.unassigned(manager, conversation, 'user', previous);
    }
  }
}
