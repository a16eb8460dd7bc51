import { Injectable } from '@nestjs/common';
import { StatusesService, type StatusRef } from '../statuses/statuses.service.js';

export type DefaultStatus = 'Open' | 'Snoozed' | 'Resolved' | 'Closed';

/**
 * The seeded statuses the workflow moves conversations between. They can be neither renamed nor
 * deleted, so they are looked up once; call before a transaction (the lookup is not on its manager).
 */
@Injectable()
export class DefaultStatuses {
  private readonly cache = new Map<DefaultStatus, StatusRef>();

  constructor(private readonly statuses: StatusesService) {}

  async get(name: DefaultStatus): Promise<StatusRef> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const status = await this.statuses.findByName(name);
    if (!status) throw new Error(`The default conversation status ${name} is missing`);
    this.cache.set(name, status);
    return status;
  }
}
