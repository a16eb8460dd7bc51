import { AgentEntity } from './modules/agents/entities/agent.entity.js';
import { RoleEntity } from './modules/agents/entities/role.entity.js';
import { ViewEntity } from './modules/conversations/entities/view.entity.js';
import { TeamEntity } from './modules/teams/entities/team.entity.js';

/**
 * Every entity the data source maps: the app, the CLI (`ormconfig.ts`) and the schema-drift check all
 * read this one list. An entity missing here is unknown to TypeORM (forFeature fails at boot).
 */
export const ENTITIES = [
  // agents
  AgentEntity,
  RoleEntity,
  // teams
  TeamEntity,
  // conversations
  ViewEntity,
];
