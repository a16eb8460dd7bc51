import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_USER_EMAIL } from '../../shared/auth/permissions.js';
import type { AgentRow } from './agents.mapper.js';
import { prepared } from '../../shared/database/prepared-statements.js';

/** The full agent with roles, permissions and teams. */
export const AGENT_SELECT = `
  SELECT u.id, u.created_at, u.updated_at, u.type, u.first_name, u.last_name, u.email, u.availability_status,
         u.phone_number_country_code, u.phone_number, u.avatar_url, u.enabled, u.last_active_at, u.last_login_at,
         u.custom_attributes, u.api_key, u.api_key_last_used_at,
         COALESCE((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                   WHERE ur.user_id = u.id), '{}') AS roles,
         COALESCE((SELECT array_agg(DISTINCT perm ORDER BY perm) FROM user_roles ur JOIN roles r ON r.id = ur.role_id,
                   unnest(r.permissions) AS perm WHERE ur.user_id = u.id), '{}') AS permissions,
         COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'emoji', t.emoji) ORDER BY t.name)
                   FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = u.id), '[]') AS teams
    FROM users u`;

/** Named queries over agents (users of type `agent`, not deleted). */
@Injectable()
export class AgentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: number, manager: EntityManager = this.dataSource.manager): Promise<AgentRow | null> {
    const rows: AgentRow[] = await manager.query(prepared`${AGENT_SELECT} WHERE u.id = $1 AND u.type = 'agent' AND u.deleted_at IS NULL`, [id]);
    return rows[0] ?? null;
  }

  /** Locks the agent's row until the transaction ends; false when there is no such agent. */
  async lock(id: number, manager: EntityManager): Promise<boolean> {
    const rows = await manager.query(`SELECT id FROM users WHERE id = $1 AND type = 'agent' AND deleted_at IS NULL FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  /** Every agent but the System user, newest change first; disabled agents included. */
  listCompact(): Promise<AgentRow[]> {
    return this.dataSource.query(
      `SELECT id, type, first_name, last_name, email, enabled, avatar_url, availability_status, created_at, updated_at
         FROM users WHERE type = 'agent' AND deleted_at IS NULL AND email IS DISTINCT FROM $1
        ORDER BY updated_at DESC, id DESC`,
      [SYSTEM_USER_EMAIL],
    );
  }

  async emailTaken(email: string, exceptId: number | null, manager: EntityManager): Promise<boolean> {
    const rows = await manager.query(
      `SELECT 1 FROM users WHERE type = 'agent' AND deleted_at IS NULL AND lower(email) = lower($1) AND id IS DISTINCT FROM $2 LIMIT 1`,
      [email, exceptId],
    );
    return rows.length > 0;
  }

  async roleIdsByName(names: string[], manager: EntityManager): Promise<Map<string, number>> {
    const rows: Array<{ id: number; name: string }> = await manager.query(`SELECT id, name FROM roles WHERE name = ANY($1::text[])`, [names]);
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  async replaceRoles(userId: number, roleIds: number[], manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM user_roles WHERE user_id = $1 AND NOT (role_id = ANY($2::int[]))`, [userId, roleIds]);
    await manager.query(`INSERT INTO user_roles (user_id, role_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`, [userId, roleIds]);
  }

  async replaceTeams(userId: number, teamIds: number[], manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM team_members WHERE user_id = $1 AND NOT (team_id = ANY($2::int[]))`, [userId, teamIds]);
    await manager.query(`INSERT INTO team_members (user_id, team_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`, [userId, teamIds]);
  }

  async countRealAgents(): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM users WHERE type = 'agent' AND deleted_at IS NULL AND email IS DISTINCT FROM $1`,
      [SYSTEM_USER_EMAIL],
    );
    return rows[0].n;
  }
}
