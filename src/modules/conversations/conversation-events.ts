import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { type EventScope, EventsService, type EventType } from '../events/events.service.js';
import type { ConversationRef } from './conversation.rows.js';
import { toConversation } from './conversations.mapper.js';
import { ConversationsRepository } from './conversations.repository.js';
import { TagsRepository } from './tags/tags.repository.js';

/** No agent has this id, so viewer-specific fields read as for someone who never opened the conversation. */
const NO_VIEWER = 0;

/** The conversation an event is about, as it is after the change. */
export type EventTarget = Pick<ConversationRef, 'id' | 'uuid' | 'assigned_user_id' | 'assigned_team_id'>;
export type AssigneeType = 'user' | 'team';

/** Who may read the event: the conversation's assignment once the change is made. */
export const scopeOf = (c: EventTarget): EventScope => ({
  conversationId: c.id,
  assignedUserId: c.assigned_user_id,
  assignedTeamId: c.assigned_team_id,
});

/**
 * Records conversation events in the caller's transaction. `c` is the conversation as it is after
 * the change (its assignment decides who may read the event in the feed).
 */
@Injectable()
export class ConversationEvents {
  constructor(
    private readonly events: EventsService,
    private readonly repo: ConversationsRepository,
    private readonly tags: TagsRepository,
  ) {}

  /** The contract's `Conversation` as it is inside the transaction, viewer-neutral and without previous conversations. */
  async created(m: EntityManager, uuid: string, scope: EventScope): Promise<void> {
    const row = await this.repo.findDetail(uuid, NO_VIEWER, m);
    if (!row) throw new Error(`conversation ${uuid} vanished inside its own transaction`);
    await this.record(m, 'conversation.created', { conversation: toConversation(row, []) }, scope);
  }

  statusChanged(m: EntityManager, c: EventTarget, previous: string, status: string, snoozedUntil: Date | null): Promise<void> {
    return this.record(
      m,
      'conversation.status_changed',
      { conversation_uuid: c.uuid, previous_status: previous, status, snoozed_until: snoozedUntil?.toISOString() ?? null },
      scopeOf(c),
    );
  }

  priorityChanged(m: EntityManager, c: EventTarget, previous: string | null, priority: string | null): Promise<void> {
    return this.record(m, 'conversation.priority_changed', { conversation_uuid: c.uuid, previous_priority: previous, priority }, scopeOf(c));
  }

  /** `tags` is the whole set after the change, by name. */
  async tagsChanged(m: EntityManager, c: EventTarget, added: string[], removed: string[]): Promise<void> {
    const tags = (await this.tags.ofConversation(m, c.id)).map((t) => t.name);
    await this.record(m, 'conversation.tags_changed', { conversation_uuid: c.uuid, added, removed, tags }, scopeOf(c));
  }

  assigned(m: EntityManager, c: EventTarget, type: AssigneeType, assigneeId: number, previousId: number | null): Promise<void> {
    return this.record(
      m,
      'conversation.assigned',
      { conversation_uuid: c.uuid, assignee_type: type, assignee_id: assigneeId, previous_assignee_id: previousId },
      scopeOf(c),
    );
  }

  unassigned(m: EntityManager, c: EventTarget, type: AssigneeType, previousId: number): Promise<void> {
    return this.record(
      m,
      'conversation.unassigned',
      { conversation_uuid: c.uuid, assignee_type: type, assignee_id: null, previous_assignee_id: previousId },
      scopeOf(c),
    );
  }

  private record(m: EntityManager, type: EventType, payload: object, scope: EventScope): Promise<void> {
    return this.events.record(m, type, payload, scope);
  }
}
