import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { TeamMemberEntity } from './entities/team-member.entity.js';
import { TeamEntity } from './entities/team.entity.js';

export type TeamColumns = Pick<
  TeamEntity,
  'name' | 'emoji' | 'conversationAssignmentType' | 'timezone' | 'businessHoursId' | 'slaPolicyId' | 'maxAutoAssignedConversations'
>;

/** Teams and their members. */
@Injectable()
export class TeamsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<TeamEntity[]> {
    return this.dataSource.getRepository(TeamEntity).find({ order: { updatedAt: 'DESC', id: 'DESC' } });
  }

  findById(id: number, m: EntityManager = this.dataSource.manager, lock = false): Promise<TeamEntity | null> {
    return m.getRepository(TeamEntity).findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Names are compared case-insensitively, so `support` cannot sit beside `Support`. */
  async nameTaken(name: string, exceptId: number | null, m: EntityManager): Promise<boolean> {
    return m
      .getRepository(TeamEntity)
      .createQueryBuilder('t')
      .where('lower(t.name) = lower(:name)', { name })
      .andWhere('t.id IS DISTINCT FROM :exceptId', { exceptId })
      .getExists();
  }

  async insert(values: TeamColumns, m: EntityManager): Promise<TeamEntity> {
    const teams = m.getRepository(TeamEntity);
    const { identifiers } = await teams.insert(values);
    return teams.findOneByOrFail({ id: (identifiers[0] as Pick<TeamEntity, 'id'>).id });
  }

  /** Sets only the given columns; null when there is no such team. */
  async update(id: number, values: Partial<TeamColumns>, m: EntityManager): Promise<TeamEntity | null> {
    const teams = m.getRepository(TeamEntity);
    const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<TeamColumns>;
    const { affected } = await teams.update({ id }, defined);
    return affected ? teams.findOneBy({ id }) : null;
  }

  /** True when the team exists; held until the transaction ends (NO KEY, so assignments are not blocked). */
  async lock(id: number, m: EntityManager): Promise<boolean> {
    const found = await m.getRepository(TeamEntity).findOne({ select: { id: true }, where: { id }, lock: { mode: 'for_no_key_update' } });
    return found !== null;
  }

  /**
   * Memberships cascade; conversations' assigned_team_id is set null by the foreign key. The team's
   * conversations are locked first, in the order a conversation write takes them (its row, then the
   * team through the key), so a concurrent reply or assignment waits instead of deadlocking.
   */
  async delete(id: number, m: EntityManager): Promise<boolean> {
    await m.query(`SELECT id FROM conversations WHERE assigned_team_id = $1 ORDER BY id FOR NO KEY UPDATE`, [id]);
    const { affected } = await m.getRepository(TeamEntity).delete({ id });
    return (affected ?? 0) > 0;
  }

  /** Makes `teamIds` the agent's teams, keeping the memberships that stay. */
  async setMemberships(userId: number, teamIds: number[], m: EntityManager): Promise<void> {
    const members = m.getRepository(TeamMemberEntity);
    await members.delete(teamIds.length ? { userId, teamId: Not(In(teamIds)) } : { userId });
    if (teamIds.length)
      await members
        .createQueryBuilder()
        .insert()
        .values(teamIds.map((teamId) => ({ userId, teamId })))
        .orIgnore()
        .execute();
  }
}
