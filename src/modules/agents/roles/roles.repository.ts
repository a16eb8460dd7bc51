import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Not, QueryFailedError } from 'typeorm';
import { RoleEntity } from '../entities/role.entity.js';

export type RoleWritable = Partial<Pick<RoleEntity, 'name' | 'description' | 'permissions'>>;

const isUniqueViolation = (err: unknown) => err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';

/** Roles. Their triggers (migration AuthChangeNotify) tell every instance to drop cached permissions. */
@Injectable()
export class RolesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(): Promise<RoleEntity[]> {
    return this.dataSource.getRepository(RoleEntity).find({ order: { id: 'ASC' } });
  }

  findById(id: number, m: EntityManager = this.dataSource.manager): Promise<RoleEntity | null> {
    return m.getRepository(RoleEntity).findOne({ where: { id } });
  }

  /** Locks the role's row until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<RoleEntity | null> {
    return m.getRepository(RoleEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Whether a role other than `exceptId` has this name. */
  nameTaken(m: EntityManager, name: string, exceptId = 0): Promise<boolean> {
    return m.getRepository(RoleEntity).exists({ where: { name, id: Not(exceptId) } });
  }

  /** The new role, or null when the name is taken. */
  async insert(m: EntityManager, values: Required<RoleWritable>): Promise<RoleEntity | null> {
    const result = await m.createQueryBuilder().insert().into(RoleEntity).values(values).orIgnore().returning(['id']).execute();
    const created = (result.raw as Array<Pick<RoleEntity, 'id'>>)[0];
    return created ? m.getRepository(RoleEntity).findOneByOrFail({ id: created.id }) : null;
  }

  /** False when the new name is taken. */
  async update(m: EntityManager, id: number, values: RoleWritable): Promise<boolean> {
    try {
      await m.getRepository(RoleEntity).update({ id }, values);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Deletes the role; the agents holding it lose it (`user_roles` cascades). */
  async delete(m: EntityManager, id: number): Promise<void> {
    await m.getRepository(RoleEntity).delete({ id });
  }
}
