import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module.js';
import { EmailOutboxEntity } from './entities/email-outbox.entity.js';
import { InboxesModule } from '../inboxes/inboxes.module.js';
import { MediaModule } from '../media/media.module.js';
import { MailComposer } from './mail-composer.js';
import { MailWorker } from './mail-worker.js';
import { OutboxMetrics } from './outbox.metrics.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';
import { SmtpTransports } from './smtp-transports.js';

/** Outgoing email: the outbox other modules queue replies into, and the worker that delivers it. */
@Module({
  imports: [TypeOrmModule.forFeature([EmailOutboxEntity]), EventsModule, InboxesModule, MediaModule],
  providers: [OutboxService, OutboxRepository, MailWorker, MailComposer, SmtpTransports, OutboxMetrics],
  exports: [OutboxService],
})
export class MailModule {}
