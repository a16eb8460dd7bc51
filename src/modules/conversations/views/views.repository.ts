import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { ViewEntity } from '../entities/view.entity.js';

export type NewView = Pick<ViewEntity, 'name' | 'visibility' | 'teamId' | 'userId' | 'filters'>;

/** Saved views. */
@Injectable()
export class ViewsRepository {
  constructor(@InjectRepository(ViewEntity) private readonly views: Repository<ViewEntity>) {}

  /** The user's own views, every `all` view, and the team views of `teams` (`'all'`: of every team); by name. */
  listVisible(userId: number, teams: readonly number[] | 'all'): Promise<ViewEntity[]> {
    return this.views
      .createQueryBuilder('v')
      .where(
        new Brackets((q) => {
          q.where(`v.visibility = 'user' AND v.userId = :me`, { me: userId }).orWhere(`v.visibility = 'all'`);
          if (teams === 'all') q.orWhere(`v.visibility = 'team'`);
          else if (teams.length) q.orWhere(`v.visibility = 'team' AND v.teamId IN (:...teams)`, { teams: [...teams] });
        }),
      )
      .orderBy('v.name', 'ASC')
      .addOrderBy('v.id', 'ASC')
      .getMany();
  }

  findById(id: number): Promise<ViewEntity | null> {
    return this.views.findOne({ where: { id } });
  }

  insert(view: NewView): Promise<ViewEntity> {
    return this.views.save(this.views.create(view));
  }

  save(view: ViewEntity): Promise<ViewEntity> {
    return this.views.save(view);
  }

  async delete(id: number): Promise<void> {
    await this.views.delete({ id });
  }
}
