import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PRINCIPAL_SOURCE } from '../../shared/auth/principal-source.js';
import { TeamsModule } from '../teams/teams.module.js';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { AgentEntity } from './entities/agent.entity.js';
import { RoleEntity } from './entities/role.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([AgentEntity, RoleEntity]), TeamsModule],
  controllers: [AgentsController],
  // The credential check (shared/auth) reads principals through the agents repository.
  providers: [AgentsService, AgentsRepository, { provide: PRINCIPAL_SOURCE, useExisting: AgentsRepository }],
  exports: [AgentsService, PRINCIPAL_SOURCE],
})
export class AgentsModule {}
