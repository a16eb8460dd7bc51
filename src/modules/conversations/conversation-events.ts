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

interface PendingEvent {
  type: EventType;
  payload: object;
  scope: EventScope;
}

/**
 * Records conversation and message events in the caller's transaction. `c` is the conversation as it
 * is after the change (its assignment decides who may read the event in the feed).
 */
@Injectable()
export class ConversationEvents {
  /** Events held back per transaction while `collect` runs. */
  private readonly held = new WeakMap<EntityManager, PendingEvent[]>();

  constructor(
    private readonly events: EventsService,
    private readonly repo: ConversationsRepository,
    private readonly tags: TagsRepository,
  ) {}

  /**
   * Runs `work` holding back the events it records in `m`, and returns them for `release`. Creating a
   * conversation assigns it and writes its first message before the conversation is complete; its
   * events are released after `conversation.created`, so that one comes first and shows the result.
   */
  async collect(m: EntityManager, work: () => Promise<void>): Promise<PendingEvent[]> {
    const pending: PendingEvent[] = [];
    this.held.set(m, pending);
    try {
      await work();
    } finally {
      this.held.delete(m);
    }
    return pending;
  }

  async release(m: EntityManager, pending: PendingEvent[]): Promise<void> {
    for (const event of pending) await this.events.record(m, event.type, event.payload, event.scope);
  }

  /** The contract's `Conversation` as it is inside the transaction, viewer-neutral and without previous conversations. */
  async created(m: EntityManager, uuid: string, scope: EventScope): Promise<void> {
    const row = await this.repo.findDetail(uuid, NO_VIEWER, m);
    if (!row) throw new Error(`conversation ${uuid} vanished inside its own transaction`);
    await this.record(m, 'conversation.created', { conversation: toConversation(row, []) }, scope);
  }

  /** Fields other than status, priority, tags and assignment: today `custom_attributes`, the whole object before and after. */
  customAttributesChanged(m: EntityManager, c: EventTarget, previous: Record<string, unknown>, current: Record<string, unknown>): Promise<void> {
    return this.record(
      m,
      'conversation.updated',
      { conversation_uuid: c.uuid, changed: ['custom_attributes'], custom_attributes: current, previous_custom_attributes: previous },
      scopeOf(c),
    );
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

  /**
   * A tag was renamed or deleted: one `conversation.tags_changed` for each conversation that carries
   * (or carried) it, `tags` read after the change.
   */
  async tagsChangedIn(m: EntityManager, targets: EventTarget[], added: string[], removed: string[]): Promise<void> {
    const names = await this.tags.namesOf(
      m,
      targets.map((c) => c.id),
    );
    for (const c of targets) {
      await this.record(m, 'conversation.tags_changed', { conversation_uuid: c.uuid, added, removed, tags: names.get(c.id) ?? [] }, scopeOf(c));
    }
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

  /** `message` in the contract's `Message` shape. */
  messageCreated(m: EntityManager, message: { conversation_uuid: string }, scope: EventScope): Promise<void> {
    return this.record(m, 'message.created', { message, conversation_uuid: message.conversation_uuid }, scope);
  }

  private async record(m: EntityManager, type: EventType, payload: object, scope: EventScope): Promise<void> {
    const held = this.held.get(m);
    if (held) held.push({ type, payload, scope });
    else await this.events.record(m, type, payload, scope);
  }
}
