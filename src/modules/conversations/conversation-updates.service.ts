import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import type { Precondition } from '../../shared/http/conditional.js';
import { InvalidFields } from '../../shared/http/errors.js';
import { PrioritiesService } from '../statuses/priorities.service.js';
import { StatusesService } from '../statuses/statuses.service.js';
import { Activities } from './activity.js';
import { ConversationAccess } from './conversation-access.service.js';
import { ConversationAssignment } from './conversation-assignment.service.js';
import { ConversationEvents } from './conversation-events.js';
import type { ConversationRef } from './conversation.rows.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import type { StatusDto, TagAction } from './dto/conversation-update.dto.js';
import { actorOf, MessageWriter } from './messages/message-writer.service.js';
import { parseSnoozeDuration } from './snooze/snooze-duration.js';
import { TagsRepository } from './tags/tags.repository.js';

export const SNOOZED = 'Snoozed';

/**
 * Assignment, priority, status, tags and last-seen. Each change runs on the locked conversation,
 * re-checks access against its current state, and adds its activity message in the same
 * transaction; a change to the current value is a no-op that records nothing.
 */
@Injectable()
export class ConversationUpdates {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: ConversationAccess,
    private readonly assignment: ConversationAssignment,
    private readonly repo: ConversationsRepository,
    private readonly tags: TagsRepository,
    private readonly writer: MessageWriter,
    private readonly statuses: StatusesService,
    private readonly priorities: PrioritiesService,
    private readonly events: ConversationEvents,
    private readonly conversations: ConversationsService,
  ) {}

  async assignUser(principal: Principal, uuid: string, assigneeId: number, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const agent = await this.assignment.resolveAgent(assigneeId, 'assignee_id');
    return this.locked(principal, id, ifMatch, (m, c) => this.assignment.assignUser(m, c, agent, actorOf(principal)));
  }

  async unassignUser(principal: Principal, uuid: string, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    return this.locked(principal, id, ifMatch, (m, c) => this.assignment.unassignUser(m, c));
  }

  async assignTeam(principal: Principal, uuid: string, teamId: number, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const team = await this.assignment.resolveTeam(teamId, 'assignee_id');
    return this.locked(principal, id, ifMatch, (m, c) => this.assignment.assignTeam(m, c, team, actorOf(principal)));
  }

  async unassignTeam(principal: Principal, uuid: string, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    return this.locked(principal, id, ifMatch, (m, c) => this.assignment.unassignTeam(m, c));
  }

  async setPriority(principal: Principal, uuid: string, name: string, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const priority = await this.priorities.findByName(name);
    if (!priority) throw new InvalidFields({ priority: `unknown priority ${name}` }, `Priority not found: ${name}`);
    return this.locked(principal, id, ifMatch, async (m, c) => {
      if (c.priority_id === priority.id) return;
      await this.repo.setPriority(m, c.id, priority.id);
      await this.events.priorityChanged(m, c, c.priority, priority.name);
      await this.writer.activity(m, c.id, actorOf(principal), Activities.priority(actorOf(principal).name, priority.name));
    });
  }

  async setStatus(principal: Principal, uuid: string, dto: StatusDto, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const status = await this.statuses.findByName(dto.status);
    if (!status) throw new InvalidFields({ status: `unknown status ${dto.status}` }, `Status not found: ${dto.status}`);
    let snoozedUntil: Date | null = null;
    if (status.name === SNOOZED) {
      if (!dto.snoozed_until) throw new InvalidFields({ snoozed_until: 'required to snooze' }, '`snoozed_until` is required to snooze');
      const ms = parseSnoozeDuration(dto.snoozed_until);
      if (ms === null) {
        throw new InvalidFields({ snoozed_until: 'must be a positive duration such as 30m, 2h, 3d or 1h30m' }, 'Invalid snooze duration');
      }
      snoozedUntil = new Date(Date.now() + ms);
    }
    return this.locked(principal, id, ifMatch, async (m, c) => {
      if (c.status_id === status.id && status.name !== SNOOZED) return;
      await this.repo.setStatus(m, c.id, status, snoozedUntil);
      await this.events.statusChanged(m, c, c.status, status.name, snoozedUntil);
      const actor = actorOf(principal);
      await this.writer.activity(m, c.id, actor, Activities.status(actor.name, status.name));
    });
  }

  async setTags(principal: Principal, uuid: string, names: string[], action: TagAction, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const wanted = [...new Set(names)];
    return this.locked(principal, id, ifMatch, async (m, c) => {
      const current = await this.tags.ofConversation(m, c.id);
      const has = new Set(current.map((t) => t.id));
      // Names match existing tags case-insensitively; `named` are the tags the request means.
      const named = action === 'remove_tags' ? await this.tags.findByNames(m, wanted) : await this.tags.ensure(m, wanted);
      const meant = new Set(named.map((t) => t.id));
      const added = action === 'remove_tags' ? [] : named.filter((t) => !has.has(t.id));
      const removed = action === 'set_tags' ? current.filter((t) => !meant.has(t.id)) : action === 'remove_tags' ? current.filter((t) => meant.has(t.id)) : [];
      await this.tags.link(
        m,
        c.id,
        added.map((t) => t.id),
      );
      await this.tags.unlink(
        m,
        c.id,
        removed.map((t) => t.id),
      );
      if (added.length === 0 && removed.length === 0) return;
      const addedByName = [...added].sort((a, b) => a.name.localeCompare(b.name));
      await this.events.tagsChanged(
        m,
        c,
        addedByName.map((t) => t.name),
        removed.map((t) => t.name),
      );
      const actor = actorOf(principal);
      for (const tag of addedByName) await this.writer.activity(m, c.id, actor, Activities.tagAdded(actor.name, tag.name));
      for (const tag of removed) await this.writer.activity(m, c.id, actor, Activities.tagRemoved(actor.name, tag.name));
    });
  }

  /** The caller has seen everything in the conversation up to now. Only a conditional request locks the conversation. */
  async markSeen(principal: Principal, uuid: string, ifMatch: Precondition | null = null): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    if (!ifMatch) {
      await this.repo.upsertLastSeen(id, principal.id);
      return true;
    }
    return this.locked(principal, id, ifMatch, (m) => this.repo.upsertLastSeen(id, principal.id, m));
  }

  /**
   * Runs `change` on the locked conversation. `If-Match` is compared with the conversation as GET
   * would show it to this caller, read after the lock, so a concurrent change with the same tag waits
   * for this one and then fails its own comparison.
   */
  private async locked(
    principal: Principal,
    id: number,
    ifMatch: Precondition | null,
    change: (m: EntityManager, c: ConversationRef) => Promise<unknown>,
  ): Promise<true> {
    await this.dataSource.transaction(async (m) => {
      const c = await this.access.lockReadable(principal, id, m);
      if (ifMatch) ifMatch.assert(await this.conversations.detail(principal, c.uuid, true, m));
      return change(m, c);
    });
    return true;
  }
}
