import { Check, Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, type Relation, Unique, UpdateDateColumn } from 'typeorm';
import type { UserRoleEntity } from './user-role.entity.js';

export type BuiltInRole = 'admin' | 'agent';

/** A named set of permissions (`users:manage`, ...) given to agents through `user_roles`. */
@Entity('roles')
@Unique('roles_name_key', ['name'])
@Unique('roles_built_in_key', ['builtIn'])
@Check('roles_built_in_check', `built_in IN ('admin', 'agent')`)
export class RoleEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'roles_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  permissions: string[];

  /** `admin` or `agent` on the two seeded roles (protected from edits and deletion by row, not by name). */
  @Column({ name: 'built_in', type: 'text', nullable: true })
  builtIn: BuiltInRole | null;

  @OneToMany('UserRoleEntity', (userRole: UserRoleEntity) => userRole.role)
  userRoles?: Relation<UserRoleEntity>[];
}
