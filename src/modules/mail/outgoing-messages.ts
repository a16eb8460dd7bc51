import type { EntityManager } from 'typeorm';
import type { ConversationEntity } from '../conversations/entities/conversation.entity.js';
import type { MessageEntity, MessageStatus } from '../conversations/entities/message.entity.js';
import type { InboxEntity } from '../inboxes/entities/inbox.entity.js';

/** What the mail worker needs to know about a message to build and address its email. */
export type OutgoingMessage = Pick<
  MessageEntity,
  | 'id'
  | 'uuid'
  | 'type'
  | 'status'
  | 'private'
  | 'senderType'
  | 'contentType'
  | 'content'
  | 'textContent'
  | 'sourceId'
  | 'meta'
  | 'createdAt'
  | 'conversationId'
> & {
  conversationUuid: ConversationEntity['uuid'];
  subject: ConversationEntity['subject'];
  referenceNumber: ConversationEntity['referenceNumber'];
  inboxId: ConversationEntity['inboxId'];
  inboxChannel: InboxEntity['channel'];
  inboxFrom: InboxEntity['from'];
  contactEmail: string | null;
};

/** A message's delivery status change, with its conversation's assignment (who may read the event about it). */
export interface MessageStatusChange {
  messageUuid: MessageEntity['uuid'];
  previousStatus: MessageStatus;
  conversationId: ConversationEntity['id'];
  conversationUuid: ConversationEntity['uuid'];
  assignedUserId: ConversationEntity['assignedUserId'];
  assignedTeamId: ConversationEntity['assignedTeamId'];
}

/**
 * The messages the outbox delivers belong to the conversations module, which registers this with
 * `OutboxService.useMessages` (conversations depend on mail, not the other way round). `manager`: the
 * caller's transaction, when there is one.
 */
export interface OutgoingMessages {
  find(messageId: number, manager?: EntityManager): Promise<OutgoingMessage | null>;
  /** Message-IDs of the conversation's earlier emails that really went out or came in, newest first. */
  previousSourceIds(message: Pick<OutgoingMessage, 'id' | 'conversationId' | 'createdAt'>, limit: number): Promise<string[]>;
  setSourceId(messageId: number, sourceId: string, manager?: EntityManager): Promise<void>;
  /** Moves the message from status `from` (any status but `to` when null) to `to`; null when it was not in `from`. */
  setStatus(manager: EntityManager, messageId: number, from: MessageStatus | null, to: MessageStatus): Promise<MessageStatusChange | null>;
}
