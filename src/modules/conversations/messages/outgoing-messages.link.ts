import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OutboxService } from '../../mail/outbox.service.js';
import { OutgoingMessagesRepository } from './outgoing-messages.repository.js';

/** Hands the mail outbox the conversations module's access to the messages it delivers. */
@Injectable()
export class OutgoingMessagesLink implements OnModuleInit {
  constructor(
    private readonly outbox: OutboxService,
    private readonly messages: OutgoingMessagesRepository,
  ) {}

  onModuleInit(): void {
    this.outbox.useMessages(this.messages);
  }
}
