import { Module } from '@nestjs/common';
import { InboxesController } from './inboxes.controller.js';
import { InboxesRepository } from './inboxes.repository.js';
import { InboxesService } from './inboxes.service.js';
import { SmtpPasswordBox } from './smtp-password.js';

@Module({
  controllers: [InboxesController],
  providers: [InboxesService, InboxesRepository, SmtpPasswordBox],
  exports: [InboxesService],
})
export class InboxesModule {}
