import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Conflict, InvalidInput, NotFound } from '../../shared/http/errors.js';
import type { FilterNode, ListSort } from '../../shared/http/list-filters.js';
import type { PageRequest, PageResults } from '../../shared/http/pagination.js';
import { pageResults } from '../../shared/http/pagination.js';
import type { Precondition } from '../../shared/http/conditional.js';
import { CustomAttributeValidator } from '../custom-attributes/custom-attribute-validator.js';
import { EventsService } from '../events/events.service.js';
import { type IncomingFile, MediaService } from '../media/media.service.js';
import { type Contact, type ContactListItem, toContact, toContactListItem } from './contacts.mapper.js';
import { type ContactColumns, ContactsRepository } from './contacts.repository.js';
import { checkContactCustomAttributes } from './contact-custom-attributes.js';
import type { CreateContactDto, UpdateContactDto } from './dto/contact-request.dto.js';

const NAME_MAX = 140;
const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
const AVATAR_EXTENSIONS = /\.(gif|png|jpe?g)$/i;
const UPLOAD_PATH = /^\/uploads\/([0-9a-f-]{36})$/i;

@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ContactsRepository,
    private readonly media: MediaService,
    private readonly events: EventsService,
    private readonly customAttributes: CustomAttributeValidator,
  ) {}

  /**
   * The live contact with this email, or a new one of type `contact`. An existing contact is reused
   * unchanged (never renamed). Runs only on `manager`, so it can join the caller's transaction.
   */
  async findOrCreateByEmail(manager: EntityManager, input: { email: string; firstName: string; lastName: string }): Promise<{ id: number; created: boolean }> {
    const email = input.email.trim().toLowerCase();
    if (!email) throw new InvalidInput('Contact email is required', { fields: { email: 'must not be empty' } });
    const existing = await this.repo.findIdByEmail(manager, email);
    if (existing !== null) return { id: existing, created: false };
    const firstName = (input.firstName.trim() || email.split('@')[0]).slice(0, NAME_MAX);
    const lastName = input.lastName.trim().slice(0, NAME_MAX);
    const inserted = await this.repo.insertIfAbsent(manager, email, firstName, lastName);
    if (inserted !== null) {
      const row = await this.repo.findById(inserted, manager);
      await this.events.record(manager, 'contact.created', { contact: toContact(row!) });
      return { id: inserted, created: true };
    }
    const raced = await this.repo.findIdByEmail(manager, email);
    if (raced === null) throw new Error(`contact for ${email} neither inserted nor found`);
    return { id: raced, created: false };
  }

  /**
   * POST /contacts. The email must be free among live contacts and visitors; the
   * unique index decides between concurrent creates, so the loser gets the same 409.
   */
  async create(dto: CreateContactDto): Promise<Contact> {
    // The shape first (keys, scalar values), then each key against its contact definition (unknown key, type, list, regex, date).
    const { values: customAttributes } = await this.customAttributes.validate('contact', checkContactCustomAttributes(dto.custom_attributes ?? {}));
    return this.dataSource.transaction(async (m) => {
      const id = await this.repo.insertContact(m, {
        first_name: dto.first_name,
        last_name: dto.last_name ?? '',
        email: dto.email,
        phone_number: dto.phone_number ?? null,
        phone_number_country_code: dto.phone_number_country_code ?? null,
        country: dto.country ?? null,
        custom_attributes: customAttributes,
      });
      if (id === null) throw new Conflict('Another contact with same email already exists');
      const contact = toContact((await this.repo.findById(id, m))!);
      await this.events.record(m, 'contact.created', { contact });
      return contact;
    });
  }

  /** Newest first, or as `filters` and `order_by` say (README "List filters and sorting"). */
  async list(page: PageRequest, filter: FilterNode | null, sort: ListSort & { custom: boolean }): Promise<PageResults<ContactListItem>> {
    const custom = filter || sort.custom ? { filter, sort } : null;
    const { rows, total } = custom ? await this.repo.filteredPage(page.pageSize, page.offset, custom) : await this.repo.page(page.pageSize, page.offset);
    return pageResults(rows.map(toContactListItem), total, page);
  }

  async get(id: number): Promise<Contact> {
    const row = await this.repo.findById(id);
    if (!row) throw new NotFound('User not found');
    return toContact(row);
  }

  /** 404 unless `id` is a live contact. */
  async assertExists(id: number): Promise<void> {
    await this.get(id);
  }

  /**
   * A partial update. A new avatar file is stored first (a 2 MB gif/png/jpeg), then the row is
   * updated in a transaction; the replaced avatar is deleted once that commits.
   */
  async update(id: number, dto: UpdateContactDto, avatar: IncomingFile | null, ifMatch: Precondition | null = null): Promise<Contact> {
    await this.get(id);
    if (avatar) await this.checkAvatar(avatar);
    const stored = avatar ? await this.media.create({ file: avatar, disposition: null, modelType: 'users', modelId: id }) : null;
    const columns: ContactColumns = {
      first_name: dto.first_name,
      last_name: dto.last_name,
      email: dto.email,
      phone_number: dto.phone_number,
      phone_number_country_code: dto.phone_number_country_code,
      enabled: dto.enabled,
      avatar_url: stored ? `/uploads/${stored.uuid}` : dto.avatar_url,
    };
    let before: Contact;
    try {
      before = await this.change(id, ifMatch, async (m) => {
        if (dto.email !== undefined && (await this.repo.findIdByEmail(m, dto.email, id)) !== null) {
          throw new Conflict('Another contact with same email already exists');
        }
        return this.repo.update(m, id, columns);
      });
    } catch (err) {
      if (stored) await this.media.remove(stored.uuid);
      throw err;
    }
    const replaced = columns.avatar_url !== undefined && columns.avatar_url !== before.avatar_url ? before.avatar_url : null;
    const oldUpload = replaced ? UPLOAD_PATH.exec(replaced) : null;
    if (oldUpload) await this.media.remove(oldUpload[1].toLowerCase(), { modelType: 'users', modelId: id });
    return this.get(id);
  }

  async setEnabled(id: number, enabled: boolean, ifMatch: Precondition | null = null): Promise<Contact> {
    await this.get(id);
    await this.change(id, ifMatch, (m) => this.repo.update(m, id, { enabled }));
    return this.get(id);
  }

  /**
   * Merges custom attribute values (already validated by CustomAttributeValidator) into the contact, in
   * the caller's transaction; `removed` keys are deleted. Records `contact.updated` when it changed.
   */
  async mergeCustomAttributes(m: EntityManager, id: number, values: Record<string, unknown>, removed: string[]): Promise<void> {
    if (!(await this.repo.lockById(id, m))) throw new NotFound('User not found');
    if (!(await this.repo.mergeCustomAttributes(m, id, values, removed))) return;
    await this.events.record(m, 'contact.updated', { contact: toContact((await this.repo.findById(id, m))!) });
  }

  /**
   * Runs `write` on the locked contact after checking `If-Match` against it, and records
   * `contact.updated` when the contact changed (a write of the same values records nothing).
   * Returns the contact as it was before.
   */
  private async change(id: number, ifMatch: Precondition | null, write: (m: EntityManager) => Promise<boolean>): Promise<Contact> {
    return this.dataSource.transaction(async (m) => {
      const locked = await this.repo.lockById(id, m);
      if (!locked) throw new NotFound('User not found');
      const before = toContact(locked);
      ifMatch?.assert(before);
      if (!(await write(m))) throw new NotFound('User not found');
      const after = toContact((await this.repo.findById(id, m))!);
      if (!sameIgnoringUpdatedAt(before, after)) await this.events.record(m, 'contact.updated', { contact: after });
      return before;
    });
  }

  private async checkAvatar(file: IncomingFile): Promise<void> {
    if (!AVATAR_EXTENSIONS.test(file.filename ?? '')) throw new InvalidInput('File type is not an image');
    if (file.content.length === 0) throw new InvalidInput('This file is 0 bytes, so it will not be attached.');
    if (file.content.length > AVATAR_MAX_BYTES) throw new InvalidInput('File size too large, please upload a file less than 2MB');
    if (!(await this.media.isImage(file.content))) throw new InvalidInput('File type is not an image');
  }
}

function sameIgnoringUpdatedAt(a: Contact, b: Contact): boolean {
  return JSON.stringify({ ...a, updated_at: null }) === JSON.stringify({ ...b, updated_at: null });
}
