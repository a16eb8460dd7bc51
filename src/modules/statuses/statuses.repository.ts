import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PriorityEntity } from './entities/priority.entity.js';
import { type StatusCategory, StatusEntity } from './entities/status.entity.js';

/** Conversation statuses and priorities. */
@Injectable()
export class StatusesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listStatuses(): Promise<StatusEntity[]> {
    return this.dataSource.getRepository(StatusEntity).find({ order: { id: 'ASC' } });
  }

  findStatusById(id: number, m: EntityManager = this.dataSource.manager): Promise<StatusEntity | null> {
    return m.getRepository(StatusEntity).findOneBy({ id });
  }

  findStatusByName(name: string): Promise<StatusEntity | null> {
    return this.dataSource.getRepository(StatusEntity).findOneBy({ name });
  }

  /** Names are compared case-insensitively so `open` cannot sit beside `Open`. */
  statusNameTaken(name: string, exceptId: number | null, m: EntityManager): Promise<boolean> {
    return m
      .getRepository(StatusEntity)
      .createQueryBuilder('s')
      .where('lower(s.name) = lower(:name)', { name })
      .andWhere('s.id IS DISTINCT FROM :exceptId', { exceptId })
      .getExists();
  }

  async insertStatus(name: string, category: StatusCategory, m: EntityManager): Promise<StatusEntity> {
    const statuses = m.getRepository(StatusEntity);
    const { identifiers } = await statuses.insert({ name, category });
    return statuses.findOneByOrFail({ id: (identifiers[0] as Pick<StatusEntity, 'id'>).id });
  }

  /** Renames the status, and changes its category when one is given; null when there is no such status. */
  async updateStatus(id: number, name: string, category: StatusCategory | undefined, m: EntityManager): Promise<StatusEntity | null> {
    const statuses = m.getRepository(StatusEntity);
    const { affected } = await statuses.update({ id }, category === undefined ? { name } : { name, category });
    return affected ? statuses.findOneBy({ id }) : null;
  }

  /** Whether a conversation has the status (the foreign key would refuse the deletion). */
  async statusInUse(id: number, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM conversations WHERE status_id = $1 LIMIT 1`, [id]);
    return rows.length > 0;
  }

  async deleteStatus(id: number, m: EntityManager): Promise<boolean> {
    const { affected } = await m.getRepository(StatusEntity).delete({ id });
    return (affected ?? 0) > 0;
  }

  listPriorities(): Promise<PriorityEntity[]> {
    return this.dataSource.getRepository(PriorityEntity).find({ order: { id: 'ASC' } });
  }

  findPriorityByName(name: string): Promise<PriorityEntity | null> {
    return this.dataSource.getRepository(PriorityEntity).findOneBy({ name });
  }

  findPriorityById(id: number): Promise<PriorityEntity | null> {
    return this.dataSource.getRepository(PriorityEntity).findOneBy({ id });
  }
}
