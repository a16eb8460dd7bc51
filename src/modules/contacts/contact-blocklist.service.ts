import { Injectable } from '@nestjs/common';
import { ContactBlocklistRepository } from './contact-blocklist.repository.js';

/** Whether mail from an address is refused: a disabled contact holds it. */
@Injectable()
export class ContactBlocklist {
  constructor(private readonly repo: ContactBlocklistRepository) {}

  isBlocked(email: string): Promise<boolean> {
    return this.repo.isBlocked(email.trim());
  }
}
