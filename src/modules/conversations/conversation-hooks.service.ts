import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service.js';
import { OutboxService } from '../mail/outbox.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { ConversationEvents } from './conversation-events.js';
import { ConversationsRepository } from './conversations.repository.js';

/** What conversations do when other domains act: an agent or a team is deleted, a reply is delivered. */
@Injectable()
export class ConversationHooks implements OnModuleInit {
  constructor(
    private readonly agents: AgentsService,
    private readonly teams: TeamsService,
    private readonly outbox: OutboxService,
    private readonly repo: ConversationsRepository,
    private readonly events: ConversationEvents,
  ) {}

  onModuleInit(): void {
    this.agents.onAgentDeleted(async (manager, agentId) => {
      for (const c of await this.repo.unassignAgentFromUnresolved(manager, agentId)) await this.events.unassigned(manager, c, 'user', agentId);
    });
    this.teams.onTeamDeleted(async (manager, teamId) => {
      for (const c of await this.repo.unassignTeam(manager, teamId)) await this.events.unassigned(manager, c, 'team', teamId);
    });
    this.outbox.onDelivered((manager, messageId) => this.repo.markReplyDelivered(manager, messageId));
  }
}
