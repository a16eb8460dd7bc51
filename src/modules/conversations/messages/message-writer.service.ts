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
 * Every message is written through here, inside the caller's transaction: the row, the sender as a
 * participant and the conversation's last-message fields (one statement), then its attachments and
 * its `message.created` event.
 */
@Injectable()
export class MessageWriter {
  constructor(
    private readonly repo: MessagesRepository,
    private readonly media: MediaService,
    private readonly events: ConversationEvents,
  ) {}

  async write(manager: EntityManager, msg: NewMessage, attachmentIds: number[] = []): Promise<InsertedMessage> {
    const inserted = await this.repo.insert(manager, msg, {
      text: messagePreview(msg.textContent),
      interaction: !msg.private && msg.type !== 'activity',
    });
    await this.media.attachToMessage(manager, attachmentIds, inserted.id);
    await this.recordCreated(manager, inserted, attachmentIds.length > 0);
    return inserted;
  }

  /** `message.created` with the contract's `Message` as written, visible by the conversation's current assignment. */
  private async recordCreated(manager: EntityManager, row: InsertedMessage, withAttachments: boolean): Promise<void> {
    const attachments = withAttachments ? ((await this.media.attachmentsForMessages([row.id], manager)).get(row.id) ?? []) : [];
    const { assigned_user_id, assigned_team_id, ...message } = row;
    await this.events.messageCreated(manager, toMessage(message, attachments), {
      conversationId: row.conversation_id,
      assignedUserId: assigned_user_id,
      assignedTeamId: assigned_team_id,
    });
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
