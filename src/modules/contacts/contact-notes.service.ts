import { Injectable } from '@nestjs/common';
import { type Principal, isAdmin } from '../../shared/auth/principal.js';
import { Forbidden, NotFound } from '../../shared/http/errors.js';
import { type ContactNote, toContactNote } from './contacts.mapper.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';

@Injectable()
export class ContactNotesService {
  constructor(
    private readonly contacts: ContactsService,
    private readonly repo: ContactsRepository,
  ) {}

  async list(contactId: number): Promise<ContactNote[]> {
    await this.contacts.assertExists(contactId);
    return (await this.repo.listNotes(contactId)).map(toContactNote);
  }

  async create(principal: Principal, contactId: number, note: string): Promise<ContactNote> {
    await this.contacts.assertExists(contactId);
    const id = await this.repo.insertNote(contactId, principal.id, note);
    return toContactNote((await this.repo.findNote(contactId, id))!);
  }

  /** Admins delete any note; everyone else only their own (reference §5.3). */
  async remove(principal: Principal, contactId: number, noteId: number): Promise<true> {
    await this.contacts.assertExists(contactId);
    const note = await this.repo.findNote(contactId, noteId);
    if (!note) throw new NotFound('Note not found');
    if (note.user_id !== principal.id && !isAdmin(principal)) throw new Forbidden('You can only delete your own note');
    await this.repo.deleteNote(contactId, noteId);
    return true;
  }
}
