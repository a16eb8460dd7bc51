import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { canReadConversation } from '../../shared/auth/conversation-access.js';
import type { Principal } from '../../shared/auth/principal.js';
import { Forbidden, NotFound } from '../../shared/http/errors.js';
import type { ConversationRef } from './conversation.rows.js';
import { ConversationsRepository } from './conversations.repository.js';

/** Loads conversations by uuid under the access rules of reference §3.3. */
@Injectable()
export class ConversationAccess {
  constructor(private readonly repo: ConversationsRepository) {}

  /** 404 `Conversation not found`, or 403 when the caller may not read it. */
  async readable(principal: Principal, uuid: string, manager?: EntityManager): Promise<ConversationRef> {
    const conversation = await this.repo.findRefByUuid(uuid, manager);
    return this.check(principal, conversation);
  }

  /** Locks the row for the rest of the transaction and checks access against its current state. */
  async lockReadable(principal: Principal, id: number, manager: EntityManager): Promise<ConversationRef> {
    return this.check(principal, await this.repo.lockRef(id, manager));
  }

  /** lockReadable by uuid, in one statement that also reads the contact's email (a reply's first read). */
  async lockReadableByUuid(principal: Principal, uuid: string, manager: EntityManager): Promise<ConversationRef & { contact_email: string | null }> {
    const conversation = await this.repo.lockRefByUuid(uuid, manager);
    this.check(principal, conversation);
    return conversation!;
  }

  private check(principal: Principal, conversation: ConversationRef | null): ConversationRef {
    if (!conversation) throw new NotFound('Conversation not found');
    const allowed = canReadConversation(principal, {
      assignedUserId: conversation.assigned_user_id,
      assignedTeamId: conversation.assigned_team_id,
    });
    if (!allowed) throw new Forbidden('Permission denied');
    return conversation;
  }
}
