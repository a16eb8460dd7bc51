import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, type Relation, Unique, UpdateDateColumn } from 'typeorm';
import type { UserRoleEntity } from './user-role.entity.js';

/** A named set of permissions (`users:manage`, ...) given to agents through `user_roles`. */
@Entity('roles')
@Unique('roles_name_key', ['name'])
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

  @OneToMany('UserRoleEntity', (userRole: UserRoleEntity) => userRole.role)
  userRoles?: Relation<UserRoleEntity>[];
}
