import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CredentialsService } from '../../../shared/auth/credentials.service.js';
import { ALL_PERMISSIONS } from '../../../shared/auth/permissions.js';
import { Conflict, InvalidFields, InvalidInput, NotFound } from '../../../shared/http/errors.js';
import type { RoleEntity } from '../entities/role.entity.js';
import type { CreateRoleDto, RoleDto, UpdateRoleDto } from './dto/role.dto.js';
import { toRole } from './roles.mapper.js';
import { RolesRepository } from './roles.repository.js';

const EXISTS = 'Role already exists';
const KNOWN = new Set<string>(ALL_PERMISSIONS);

/**
 * Roles and their permissions. The seeded `Admin` (not editable) and `Agent` (not deletable either)
 * are recognised by their row's `built_in` mark, so renaming `Agent` keeps it protected. A change
 * reaches every agent's next request: this instance forgets its cached principals at once, and the
 * other instances on the database's `libredesk_auth` notification.
 */
@Injectable()
export class RolesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly roles: RolesRepository,
    private readonly credentials: CredentialsService,
  ) {}

  async list(): Promise<RoleDto[]> {
    return (await this.roles.list()).map(toRole);
  }

  async get(id: number): Promise<RoleDto> {
    const role = await this.roles.findById(id);
    if (!role) throw new NotFound('Role not found');
    return toRole(role);
  }

  async create(dto: CreateRoleDto): Promise<RoleDto> {
    const permissions = checkPermissions(dto.permissions);
    const role = await this.dataSource.transaction(async (m) => {
      if (await this.roles.nameTaken(m, dto.name)) return null;
      return this.roles.insert(m, { name: dto.name, description: dto.description ?? '', permissions });
    });
    if (!role) throw new Conflict(EXISTS);
    return toRole(role);
  }

  async update(id: number, dto: UpdateRoleDto): Promise<RoleDto> {
    const permissions = dto.permissions === undefined ? undefined : checkPermissions(dto.permissions);
    const role = await this.dataSource.transaction(async (m) => {
      const role = await this.locked(m, id);
      if (role.builtIn === 'admin') throw new InvalidInput('Cannot modify admin role, Please create a new role.');
      if (dto.name !== undefined && (await this.roles.nameTaken(m, dto.name, id))) throw new Conflict(EXISTS);
      const changed = await this.roles.update(m, id, { name: dto.name, description: dto.description, permissions });
      if (!changed) throw new Conflict(EXISTS);
      return this.locked(m, id);
    });
    this.credentials.forgetUser('*');
    return toRole(role);
  }

  /** The agents holding the role lose it, as in Libredesk. */
  async remove(id: number): Promise<true> {
    await this.dataSource.transaction(async (m) => {
      const role = await this.locked(m, id);
      if (role.builtIn) throw new InvalidInput(`Cannot delete the built-in ${role.builtIn === 'admin' ? 'Admin' : 'Agent'} role`);
      await this.roles.delete(m, id);
    });
    this.credentials.forgetUser('*');
    return true;
  }

  private async locked(m: EntityManager, id: number): Promise<RoleEntity> {
    const role = await this.roles.lock(m, id);
    if (!role) throw new NotFound('Role not found');
    return role;
  }
}

/** The permissions without repeats, in the order given; any unknown one is a 400 naming it. */
function checkPermissions(permissions: string[]): string[] {
  const unknown = [...new Set(permissions.filter((p) => !KNOWN.has(p)))];
  if (unknown.length) {
    const list = unknown.map((p) => `\`${p.length > 60 ? `${p.slice(0, 60)}…` : p}\``).join(', ');
    throw new InvalidFields({ permissions: `unknown permission ${list}` }, `Unknown permission: ${list}`);
  }
  return [...new Set(permissions)];
}
