import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { CustomAttributeValidator } from '../custom-attributes/custom-attribute-validator.js';
import { ConversationAccess } from './conversation-access.service.js';
import { ConversationEvents } from './conversation-events.js';
import { ConversationsRepository } from './conversations.repository.js';

/**
 * Custom attribute values of a conversation and of its contact (upstream's two PUT routes), validated
 * against the definitions. Access is checked first and again on the locked conversation, and the write
 * and its event share one transaction.
 */
@Injectable()
export class ConversationAttributes {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: ConversationAccess,
    private readonly repo: ConversationsRepository,
    private readonly events: ConversationEvents,
    private readonly contacts: ContactsService,
    private readonly validator: CustomAttributeValidator,
  ) {}

  /** Replaces the conversation's `custom_attributes` (a `null` value leaves its key out). */
  async replaceConversation(principal: Principal, uuid: string, body: unknown): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const { values } = await this.validator.validate('conversation', body);
    await this.dataSource.transaction(async (m) => {
      const c = await this.access.lockReadable(principal, id, m);
      const previous = await this.repo.customAttributes(m, c.id);
      if (sameJson(previous, values)) return;
      await this.repo.setCustomAttributes(m, c.id, values);
      await this.events.customAttributesChanged(m, c, previous, values);
    });
    return true;
  }

  /** Merges into the contact's `custom_attributes`; a `null` value removes its key. */
  async mergeContact(principal: Principal, uuid: string, body: unknown): Promise<true> {
    const { id } = await this.access.readable(principal, uuid);
    const { values, removed } = await this.validator.validate('contact', body);
    await this.dataSource.transaction(async (m) => {
      const c = await this.access.lockReadable(principal, id, m);
      await this.contacts.mergeCustomAttributes(m, c.contact_id, values, removed);
    });
    return true;
  }
}

/** Key order does not matter (jsonb does not keep it). */
function sameJson(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const canon = (o: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  return canon(a) === canon(b);
}
