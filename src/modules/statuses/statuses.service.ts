import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Conflict, InvalidInput, NotFound } from '../../shared/http/errors.js';
import type { StatusRequestDto } from './dto/status-request.dto.js';
import { DEFAULT_STATUSES, type Status, type StatusCategory, toStatus } from './statuses.mapper.js';
import { StatusesRepository } from './statuses.repository.js';

export interface StatusRef {
  id: number;
  name: string;
  category: StatusCategory;
}

const isDefault = (name: string) => (DEFAULT_STATUSES as readonly string[]).includes(name);
const DEFAULT_STATUS_MESSAGE = 'Cannot update default conversation status';

@Injectable()
export class StatusesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: StatusesRepository,
  ) {}

  async list(): Promise<Status[]> {
    return (await this.repo.listStatuses()).map(toStatus);
  }

  /** Exact, case-sensitive lookup, as conversation status changes name them. */
  async findByName(name: string): Promise<StatusRef | null> {
    const row = await this.repo.findStatusByName(name);
    return row ? { id: row.id, name: row.name, category: row.category } : null;
  }

  async findById(id: number): Promise<StatusRef | null> {
    const row = await this.repo.findStatusById(id);
    return row ? { id: row.id, name: row.name, category: row.category } : null;
  }

  async create(dto: StatusRequestDto): Promise<Status> {
    return this.dataSource.transaction(async (m) => {
      if (await this.repo.statusNameTaken(dto.name, null, m)) throw new Conflict('Status already exists');
      return toStatus(await this.repo.insertStatus(dto.name, dto.category ?? 'open', m));
    });
  }

  async update(id: number, dto: StatusRequestDto): Promise<Status> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.repo.findStatusById(id, m);
      if (!current) throw new NotFound('Status not found');
      if (isDefault(current.name)) throw new InvalidInput(DEFAULT_STATUS_MESSAGE);
      if (await this.repo.statusNameTaken(dto.name, id, m)) throw new Conflict('Status already exists');
      const row = await this.repo.updateStatus(id, dto.name, dto.category, m);
      if (!row) throw new NotFound('Status not found');
      return toStatus(row);
    });
  }

  async remove(id: number): Promise<true> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.repo.findStatusById(id, m);
      if (!current) throw new NotFound('Status not found');
      if (isDefault(current.name)) throw new InvalidInput('Cannot delete default conversation status');
      if (await this.repo.statusInUse(id, m)) {
        throw new InvalidInput('Cannot delete status as it is in use, Please remove this status from all conversations before deleting');
      }
      await this.repo.deleteStatus(id, m);
      return true as const;
    });
  }
}
