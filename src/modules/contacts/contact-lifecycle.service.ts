import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import { NotFound } from '../../shared/http/errors.js';
import { EventsService } from '../events/events.service.js';
import { MediaService } from '../media/media.service.js';
import { ContactDataRepository } from './contact-data.repository.js';
import { type ContactExport, toContactExport } from './contact-export.mapper.js';
import { ContactsRepository } from './contacts.repository.js';

/** Data-protection requests: erase a contact with everything hanging off it, or export it all. */
@Injectable()
export class ContactLifecycleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contacts: ContactsRepository,
    private readonly data: ContactDataRepository,
    private readonly media: MediaService,
    private readonly events: EventsService,
  ) {}

  /**
   * DELETE /contacts/{id}: one transaction deletes the contact, their conversations (with messages,
   * participants, tag links, by cascade), notes and media rows, and records `contact.deleted`; the
   * stored files are removed once it commits. The contact and their conversations are locked first,
   * so no message or attachment can slip in between. Earlier events keep their conversation ids and
   * stay readable: the feed never joins the conversations.
   */
  async remove(principal: Principal, id: number): Promise<true> {
    const files = await this.dataSource.transaction(async (m) => {
      if (!(await this.contacts.lockById(id, m))) throw new NotFound('User not found');
      const conversations = await this.data.conversationsOf(m, id, true);
      const messageIds = await this.data.messageIdsOf(m, id);
      const media = [
        ...(await this.media.deleteRowsOf(m, 'messages', messageIds)),
        ...(await this.media.deleteRowsOf(
          m,
          'conversations',
          conversations.map((c) => c.id),
        )),
        ...(await this.media.deleteRowsOf(m, 'users', [id])),
      ];
      if (!(await this.data.deleteContact(m, id))) throw new NotFound('User not found');
      await this.events.record(m, 'contact.deleted', {
        contact: { id },
        conversations: conversations.map((c) => ({ uuid: c.uuid, reference_number: c.reference_number })),
        deleted_by: { id: principal.id },
      });
      return media;
    });
    for (const row of files) await this.media.discard(row);
    return true;
  }

  /** GET /contacts/{id}/export, read from one snapshot so the parts agree with each other. */
  async export(id: number): Promise<ContactExport> {
    const parts = await this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const contact = await this.contacts.findForExport(id, m);
      if (!contact) throw new NotFound('User not found');
      const notes = await this.contacts.listNotes(id, m);
      const conversations = await this.data.conversationsOf(m, id);
      const messages = await this.data.visibleMessagesOf(
        m,
        conversations.map((c) => c.id),
      );
      const attachments = await this.media.attachmentsForMessages(
        messages.map((msg) => msg.id),
        m,
      );
      return { contact, notes, conversations, messages, attachments };
    });
    return toContactExport(parts.contact, parts.notes, parts.conversations, parts.messages, parts.attachments, new Date());
  }
}
