import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InvalidInput } from '../../shared/http/errors.js';
import { ContactsRepository } from './contacts.repository.js';

const FIRST_NAME_MAX = 140;

@Injectable()
export class ContactsService {
  constructor(private readonly repo: ContactsRepository) {}

  /**
   * The live contact with this email, or a new one of type `contact`. An existing contact is reused
   * unchanged (never renamed). Runs only on `manager`, so it can join the caller's transaction.
   */
  async findOrCreateByEmail(
    manager: EntityManager,
    input: { email: string; firstName: string; lastName: string },
  ): Promise<{ id: number; created: boolean }> {
    const email = input.email.trim().toLowerCase();
    if (!email) throw new InvalidInput('Contact email is required', { fields: { email: 'must not be empty' } });
    const existing = await this.repo.findIdByEmail(manager, email);
    if (existing !== null) return { id: existing, created: false };
    const firstName = (input.firstName.trim() || email.split('@')[0]).slice(0, FIRST_NAME_MAX);
    const lastName = input.lastName.trim().slice(0, FIRST_NAME_MAX);
    const inserted = await this.repo.insertIfAbsent(manager, email, firstName, lastName);
    if (inserted !== null) return { id: inserted, created: true };
    const raced = await this.repo.findIdByEmail(manager, email);
    if (raced === null) throw new Error(`contact for ${email} neither inserted nor found`);
    return { id: raced, created: false };
  }
}
