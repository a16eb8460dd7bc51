import { Injectable } from '@nestjs/common';
import { type Priority, toPriority } from './statuses.mapper.js';
import { StatusesRepository } from './statuses.repository.js';

export interface PriorityRef {
  id: number;
  name: string;
}

/** Priorities are the seeded Low, Medium and High; there are no write operations. */
@Injectable()
export class PrioritiesService {
  constructor(private readonly repo: StatusesRepository) {}

  async list(): Promise<Priority[]> {
    return (await this.repo.listPriorities()).map(toPriority);
  }

  /** Exact, case-sensitive lookup. */
  async findByName(name: string): Promise<PriorityRef | null> {
    const row = await this.repo.findPriorityByName(name);
    return row ? { id: row.id, name: row.name } : null;
  }

  async findById(id: number): Promise<PriorityRef | null> {
    const row = await this.repo.findPriorityById(id);
    return row ? { id: row.id, name: row.name } : null;
  }
}
