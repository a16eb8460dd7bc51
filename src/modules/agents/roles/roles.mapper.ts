import type { RoleEntity } from '../entities/role.entity.js';
import type { RoleDto } from './dto/role.dto.js';

export function toRole(role: RoleEntity): RoleDto {
  return {
    id: role.id,
    created_at: role.createdAt.toISOString(),
    updated_at: role.updatedAt.toISOString(),
    name: role.name,
    description: role.description,
    permissions: role.permissions,
  };
}
