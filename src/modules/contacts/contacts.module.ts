import { Module } from '@nestjs/common';
import { CustomAttributesModule } from '../custom-attributes/custom-attributes.module.js';
import { EventsModule } from '../events/events.module.js';
import { MediaModule } from '../media/media.module.js';
import { ContactBlocklistRepository } from './contact-blocklist.repository.js';
import { ContactBlocklist } from './contact-blocklist.service.js';
import { ContactDataRepository } from './contact-data.repository.js';
import { ContactLifecycleService } from './contact-lifecycle.service.js';
import { ContactNotesService } from './contact-notes.service.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';

@Module({
  imports: [CustomAttributesModule, EventsModule, MediaModule],
  controllers: [ContactsController],
  providers: [
    ContactsService,
    ContactNotesService,
    ContactLifecycleService,
    ContactsRepository,
    ContactDataRepository,
    ContactBlocklist,
    ContactBlocklistRepository,
  ],
  exports: [ContactsService, ContactBlocklist],
})
export class ContactsModule {}
