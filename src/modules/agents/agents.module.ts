import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PRINCIPAL_SOURCE } from '../../shared/auth/principal-source.js';
import { TeamsModule } from '../teams/teams.module.js';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { AgentEntity } from './entities/agent.entity.js';
import { RoleEntity } from './entities/role.entity.js';
import { RolesController } from './roles/roles.controller.js';
import { RolesRepository } from './roles/roles.repository.js';
import { RolesService } from './roles/roles.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([AgentEntity, RoleEntity]), TeamsModule],
  controllers: [AgentsController, RolesController],
  // The credential check (shared/auth) reads principals through the agents repository.
  providers: [AgentsService, AgentsRepository, RolesService, RolesRepository, { provide: PRINCIPAL_SOURCE, useExisting: AgentsRepository }],
  exports: [AgentsService, PRINCIPAL_SOURCE],
})
export class AgentsModule {}
