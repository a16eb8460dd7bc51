import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { fullName } from '../../shared/auth/principal.js';
import { InvalidFields, NotFound } from '../../shared/http/errors.js';
import { AgentsService } from '../agents/agents.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { Activities } from './activity.js';
import { ConversationEvents } from './conversation-events.js';
import type { ConversationRef } from './conversation.rows.js';
import { ConversationsRepository } from './conversations.repository.js';
import { type Actor, MessageWriter } from './messages/message-writer.service.js';

export interface NamedRef {
  id: number;
  name: string;
}

/**
 * Assignment to an agent or a team. Assignees are resolved before the transaction (other modules'
 * lookups); the changes run on a locked conversation and leave their activity message.
 */
@Injectable()
export class ConversationAssignment {
  constructor(
    private readonly agents: AgentsService,
    private readonly teams: TeamsService,
    private readonly repo: ConversationsRepository,
    private readonly writer: MessageWriter,
    private readonly events: ConversationEvents,
  ) {}

  /** An existing, enabled agent; otherwise a 400 naming `field`. */
  async resolveAgent(id: number, field: string): Promise<NamedRef> {
    const agent = await this.agents.get(id).catch((err: unknown) => {
      if (err instanceof NotFound) throw new InvalidFields({ [field]: `unknown agent ${id}` }, `Agent not found: ${id}`);
      throw err;
    });
    if (!agent.enabled) throw new InvalidFields({ [field]: `agent ${id} is disabled` }, `Agent ${id} is disabled`);
    return { id: agent.id, name: fullName({ firstName: agent.first_name, lastName: agent.last_name }) };
  }

  /** An existing team; otherwise a 400 naming `field`. */
  async resolveTeam(id: number, field: string): Promise<NamedRef> {
    const team = await this.teams.findById(id);
    if (!team) throw new InvalidFields({ [field]: `unknown team ${id}` }, `Team not found: ${id}`);
    return { id: team.id, name: team.name };
  }

  /** Returns false (and records nothing) when the agent is already the assignee. */
  async assignUser(manager: EntityManager, conversation: ConversationRef, agent: NamedRef, actor: Actor): Promise<boolean> {
    const previous = conversation.assigned_user_id;
    if (previous === agent.id) return false;
    await this.repo.setAssignedUser(manager, conversation.id, agent.id);
    conversation.assigned_user_id = agent.id;
    await this.events.assigned(manager, conversation, 'user', agent.id, previous);
    await this.writer.activity(manager, conversation.id, actor, Activities.assignedUser(actor.name, agent.name, agent.id === actor.id));
    return true;
  }

  /** A different team also clears the agent assignee (reference §5.5). */
  async assignTeam(manager: EntityManager, conversation: ConversationRef, team: NamedRef, actor: Actor): Promise<boolean> {
    const previous = { team: conversation.assigned_team_id, user: conversation.assigned_user_id };
    if (previous.team === team.id) return false;
    await this.repo.setAssignedTeam(manager, conversation.id, team.id, true);
    conversation.assigned_team_id = team.id;
    conversation.assigned_user_id = null;
    await this.events.assigned(manager, conversation, 'team', team.id, previous.team);
    if (previous.user !== null) await this.events.unassigned(manager, conversation, 'user', previous.user);
    await this.writer.activity(manager, conversation.id, actor, Activities.assignedTeam(actor.name, team.name));
    return true;
  }

  /** Removals leave no activity message, as in Libredesk. */
  async unassignUser(manager: EntityManager, conversation: ConversationRef): Promise<boolean> {
    const previous = conversation.assigned_user_id;
    if (previous === null) return false;
    await this.repo.setAssignedUser(manager, conversation.id, null);
    conversation.assigned_user_id = null;
    await this.events.unassigned(manager, conversation, 'user', previous);
    return true;
  }

  async unassignTeam(manager: EntityManager, conversation: ConversationRef): Promise<boolean> {
    const previous = conversation.assigned_team_id;
    if (previous === null) return false;
    await this.repo.setAssignedTeam(manager, conversation.id, null, false);
    conversation.assigned_team_id = null;
    await this.events.unassigned(manager, conversation, 'team', previous);
    return true;
  }
}
