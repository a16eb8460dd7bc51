import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TeamsModule } from '../teams/teams.module.js';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';
import { AgentEntity } from './entities/agent.entity.js';
import { RoleEntity } from './entities/role.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([AgentEntity, RoleEntity]), TeamsModule],
  controllers: [AgentsController],
  providers: [AgentsService, AgentsRepository],
  exports: [AgentsService],
})
export class AgentsModule {}
