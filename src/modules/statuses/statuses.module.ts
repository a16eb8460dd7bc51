import { Module } from '@nestjs/common';
import { PrioritiesService } from './priorities.service.js';
import { StatusesController } from './statuses.controller.js';
import { StatusesRepository } from './statuses.repository.js';
import { StatusesService } from './statuses.service.js';

@Module({
  controllers: [StatusesController],
  providers: [StatusesService, PrioritiesService, StatusesRepository],
  exports: [StatusesService, PrioritiesService],
})
export class StatusesModule {}
