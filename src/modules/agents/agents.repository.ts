import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import type { PrincipalRecord, PrincipalSource } from '../../shared/auth/principal-source.js';
import { SYSTEM_USER_EMAIL } from '../../shared/auth/permissions.js';
import type { TeamEntity } from '../teams/entities/team.entity.js';
import { AgentEntity } from './entities/agent.entity.js';
import { RoleEntity } from './entities/role.entity.js';
import { UserRoleEntity } from './entities/user-role.entity.js';
import { prepared } from '../../shared/database/prepared-statements.js';

/** An agent with roles, permissions and teams aggregated (what `toAgent` maps). */
export type AgentRecord = Pick<
  AgentEntity,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'type'
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'availabilityStatus'
  | 'phoneNumberCountryCode'
  | 'phoneNumber'
  | 'avatarUrl'
  | 'enabled'
  | 'lastActiveAt'
  | 'lastLoginAt'
  | 'customAttributes'
  | 'apiKey'
  | 'apiKeyLastUsedAt'
> & { roles: string[]; permissions: string[]; teams: Array<Pick<TeamEntity, 'id' | 'name' | 'emoji'>> };

export type AgentCompactRecord = Pick<
  AgentEntity,
  'id' | 'type' | 'firstName' | 'lastName' | 'email' | 'enabled' | 'avatarUrl' | 'availabilityStatus' | 'createdAt' | 'updatedAt'
>;

/** The columns an agent's create or update may set. */
export type AgentWritable = Partial<Pick<AgentEntity, 'email' | 'firstName' | 'lastName' | 'enabled' | 'availabilityStatus' | 'password'>>;

const ROLE_NAMES = `COALESCE((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                   WHERE ur.user_id = u.id), '{}')`;
const PERMISSIONS = `COALESCE((SELECT array_agg(DISTINCT perm ORDER BY perm) FROM user_roles ur JOIN roles r ON r.id = ur.role_id,
                   unnest(r.permissions) AS perm WHERE ur.user_id = u.id), '{}')`;

/** The full agent with roles, permissions and teams. */
export const AGENT_SELECT = `
  SELECT u.id, u.created_at AS "createdAt", u.updated_at AS "updatedAt", u.type, u.first_name AS "firstName",
         u.last_name AS "lastName", u.email, u.availability_status AS "availabilityStatus",
         u.phone_number_country_code AS "phoneNumberCountryCode", u.phone_number AS "phoneNumber", u.avatar_url AS "avatarUrl",
         u.enabled, u.last_active_at AS "lastActiveAt", u.last_login_at AS "lastLoginAt",
         u.custom_attributes AS "customAttributes", u.api_key AS "apiKey", u.api_key_last_used_at AS "apiKeyLastUsedAt",
         ${ROLE_NAMES} AS roles,
         ${PERMISSIONS} AS permissions,
         COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'emoji', t.emoji) ORDER BY t.name)
                   FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = u.id), '[]') AS teams
    FROM users u`;

const AGENT_BY_ID_SQL = prepared`${AGENT_SELECT} WHERE u.id = $1 AND u.type = 'agent' AND u.deleted_at IS NULL`;

/** The agent behind an API key, with roles, permissions and teams: one indexed lookup per request. */
export const PRINCIPAL_SQL = prepared`SELECT u.id, u.email, u.first_name AS "firstName", u.last_name AS "lastName", u.api_secret AS "secretHash",
       ${ROLE_NAMES} AS roles,
       ${PERMISSIONS} AS permissions,
       COALESCE((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS "teamIds"
  FROM users u
 WHERE u.api_key = $1 AND u.type = 'agent' AND u.enabled AND u.deleted_at IS NULL`;

const LIVE = { deletedAt: IsNull() };
const LIVE_AGENT = { type: 'agent' as const, deletedAt: IsNull() };

/** Agents (users of type `agent`, not deleted) and their roles; also the principal lookup of the credential check. */
@Injectable()
export class AgentsRepository implements PrincipalSource {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: number, m: EntityManager = this.dataSource.manager): Promise<AgentRecord | null> {
    const rows: AgentRecord[] = await m.query(AGENT_BY_ID_SQL, [id]);
    return rows[0] ?? null;
  }

  async findByApiKey(apiKey: string): Promise<PrincipalRecord | null> {
    const rows: PrincipalRecord[] = await this.dataSource.query(PRINCIPAL_SQL, [apiKey]);
    return rows[0] ?? null;
  }

  /** Leaves `updated_at` alone: using a key is not a change to the agent. */
  async recordKeyUse(userId: number): Promise<void> {
    await this.dataSource.getRepository(AgentEntity).update({ id: userId }, { apiKeyLastUsedAt: () => 'now()', updatedAt: () => 'updated_at' });
  }

  /** Locks the agent's row until the transaction ends; false when there is no such agent. */
  async lock(id: number, m: EntityManager): Promise<boolean> {
    const found = await m.getRepository(AgentEntity).findOne({ select: { id: true }, where: { id, ...LIVE_AGENT }, lock: { mode: 'pessimistic_write' } });
    return found !== null;
  }

  /** Every agent but the System user, newest change first; disabled agents included. */
  listCompact(): Promise<AgentCompactRecord[]> {
    return this.dataSource
      .getRepository(AgentEntity)
      .createQueryBuilder('u')
      .select(['u.id', 'u.type', 'u.firstName', 'u.lastName', 'u.email', 'u.enabled', 'u.avatarUrl', 'u.availabilityStatus', 'u.createdAt', 'u.updatedAt'])
      .where('u.deletedAt IS NULL')
      .andWhere('u.email IS DISTINCT FROM :system', { system: SYSTEM_USER_EMAIL })
      .orderBy('u.updatedAt', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .getMany();
  }

  /** The live agent with this email (case-insensitive), other than `exceptId`. */
  async findIdByEmail(email: string, exceptId: number | null = null, m: EntityManager = this.dataSource.manager): Promise<number | null> {
    const found = await m
      .getRepository(AgentEntity)
      .createQueryBuilder('u')
      .select('u.id')
      .where('u.deletedAt IS NULL')
      .andWhere('lower(u.email) = lower(:email)', { email })
      .andWhere('u.id IS DISTINCT FROM :exceptId', { exceptId })
      .getOne();
    return found?.id ?? null;
  }

  async insert(values: AgentWritable, m: EntityManager): Promise<number> {
    const result = await m.getRepository(AgentEntity).insert(values);
    return (result.identifiers[0] as Pick<AgentEntity, 'id'>).id;
  }

  /** Sets the given columns (and `updated_at`) of a live agent; false when there is none. */
  async update(id: number, values: AgentWritable, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as AgentWritable;
    const result = await m.getRepository(AgentEntity).update({ id, ...LIVE_AGENT }, defined);
    return (result.affected ?? 0) > 0;
  }

  /** Stores a new key pair (the secret's hash), or none. */
  async setApiKey(id: number, apiKey: string | null, secretHash: string | null): Promise<void> {
    await this.dataSource.getRepository(AgentEntity).update({ id }, { apiKey, apiSecret: secretHash, apiKeyLastUsedAt: null });
  }

  /** Soft delete: the key goes and the roles are dropped (the caller releases the rest in the same transaction). */
  async softDelete(id: number, m: EntityManager): Promise<void> {
    await m.getRepository(AgentEntity).update({ id, ...LIVE }, { deletedAt: () => 'now()', apiKey: null, apiSecret: null, apiKeyLastUsedAt: null });
    await m.getRepository(UserRoleEntity).delete({ userId: id });
  }

  async roleIdsByName(names: string[], m: EntityManager): Promise<Map<string, number>> {
    const roles = await m.getRepository(RoleEntity).find({ select: { id: true, name: true }, where: { name: In(names) } });
    return new Map(roles.map((r) => [r.name, r.id]));
  }

  async replaceRoles(userId: number, roleIds: number[], m: EntityManager): Promise<void> {
    const userRoles = m.getRepository(UserRoleEntity);
    await userRoles.delete(roleIds.length ? { userId, roleId: Not(In(roleIds)) } : { userId });
    if (roleIds.length)
      await userRoles
        .createQueryBuilder()
        .insert()
        .values(roleIds.map((roleId) => ({ userId, roleId })))
        .orIgnore()
        .execute();
  }

  async countRealAgents(): Promise<number> {
    return this.dataSource
      .getRepository(AgentEntity)
      .createQueryBuilder('u')
      .where('u.deletedAt IS NULL')
      .andWhere('u.email IS DISTINCT FROM :system', { system: SYSTEM_USER_EMAIL })
      .getCount();
  }
}
