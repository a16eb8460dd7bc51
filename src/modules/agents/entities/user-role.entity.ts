import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { AgentEntity } from './agent.entity.js';
import type { RoleEntity } from './role.entity.js';

/** An agent's role (an agent has one or more). */
@Entity('user_roles')
@Index('user_roles_role_idx', ['roleId'])
export class UserRoleEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'user_roles_pkey' })
  userId: number;

  @PrimaryColumn({ name: 'role_id', type: 'integer', primaryKeyConstraintName: 'user_roles_pkey' })
  roleId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('AgentEntity', (agent: AgentEntity) => agent.userRoles, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_roles_user_id_fkey' })
  user?: Relation<AgentEntity>;

  @ManyToOne('RoleEntity', (role: RoleEntity) => role.userRoles, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role_id', foreignKeyConstraintName: 'user_roles_role_id_fkey' })
  role?: Relation<RoleEntity>;
}
