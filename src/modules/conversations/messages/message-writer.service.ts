import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { fullName, type Principal } from '../../../shared/auth/principal.js';
import { MediaService } from '../../media/media.service.js';
import type { Activity } from '../activity.js';
import { ConversationEvents } from '../conversation-events.js';
import { messagePreview } from './message-content.js';
import { toMessage } from './messages.mapper.js';
import { type InsertedMessage, MessagesRepository, type NewMessage } from './messages.repository.js';

export interface Actor {
  id: number;
  name: string;
}

export const actorOf = (principal: Principal): Actor => ({ id: principal.id, name: fullName(principal) });

/**
 * Every message is written through here, inside the caller's transaction: the row, its
 * attachments, the sender as a participant, and the conversation's last-message fields.
 */
@Injectable()
export class MessageWriter {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly media: MediaService,
    private readonly events: ConversationEvents,
  ) {}

  async write(manager: EntityManager, msg: NewMessage, attachmentIds: number[] = []): Promise<InsertedMessage> {
    const inserted = await this.repo.insert(manager, msg);
    await this.media.attachToMessage(manager, attachmentIds, inserted.id);
    await this.repo.addParticipant(manager, msg.conversationId, msg.senderId);
    await this.repo.touchConversation(manager, msg.conversationId, {
      text: messagePreview(msg.textContent),
      at: inserted.created_at,
      senderType: msg.senderType,
      senderId: msg.senderId,
      interaction: !msg.private && msg.type !== 'activity',
    });
    await this.recordCreated(manager, inserted.id);
    return inserted;
  }

  /** `message.created` with the contract's `Message` as written, visible by the conversation's current assignment. */
  private async recordCreated(manager: EntityManager, messageId: number): Promise<void> {
    const row = await this.repo.findById(messageId, manager);
    if (!row) throw new Error(`message ${messageId} vanished inside its own transaction`);
    const attachments = await this.media.attachmentsForMessages([row.id], manager);
    const scope = await this.repo.conversationScope(manager, row.conversation_id);
    await this.events.messageCreated(manager, toMessage(row, attachments.get(row.id) ?? []), scope);
  }

  /** A private trail entry ("Ada Admin set priority to High") authored by the actor. */
  activity(manager: EntityManager, conversationId: number, actor: Actor, activity: Activity): Promise<InsertedMessage> {
    return this.write(manager, {
      conversationId,
      type: 'activity',
      status: 'sent',
      private: true,
      contentType: 'text',
      content: activity.text,
      textContent: activity.text,
      senderId: actor.id,
      senderType: 'agent',
      meta: { activity_type: activity.type },
    });
  }
}
