import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsModule } from '../contacts/contacts.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { InboxesModule } from '../inboxes/inboxes.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MediaModule } from '../media/media.module.js';
import { InboundMailboxEntity } from './entities/inbound-mailbox.entity.js';
import { InboundReceiptEntity } from './entities/inbound-receipt.entity.js';
import { ImapReceiver } from './imap-receiver.service.js';
import { InboundImporter } from './inbound-importer.service.js';
import { InboundRepository } from './inbound.repository.js';

/** Incoming email: IMAP mailboxes of email inboxes become conversations and messages. */
@Module({
  imports: [
    TypeOrmModule.forFeature([InboundMailboxEntity, InboundReceiptEntity]),
    ContactsModule,
    ConversationsModule,
    InboxesModule,
    MailModule,
    MediaModule,
  ],
  providers: [ImapReceiver, InboundImporter, InboundRepository],
  exports: [InboundImporter],
})
export class MailInboundModule {}
