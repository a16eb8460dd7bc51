import { ChildEntity, Column, Index, OneToMany, type Relation } from 'typeorm';
import { UserEntity } from '../../../shared/database/entities/user.entity.js';
import type { TeamMemberEntity } from '../../teams/entities/team-member.entity.js';
import type { UserRoleEntity } from './user-role.entity.js';

export { AVAILABILITY_STATUSES, type AvailabilityStatus } from '../../../shared/database/entities/user.entity.js';

/** An agent: a `users` row of type `agent`, who signs in with an API key pair (or a password, in Libredesk). */
@ChildEntity('agent')
// unique lower(email) among live agents (expression index)
@Index('users_agent_email_key', { synchronize: false })
@Index('users_api_key_key', ['apiKey'], { unique: true, where: 'api_key IS NOT NULL' })
export class AgentEntity extends UserEntity {
  @Column({ type: 'text', nullable: true, select: false })
  password: string | null;

  @Column({ name: 'last_active_at', type: 'timestamptz', nullable: true })
  lastActiveAt: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'api_key', type: 'text', nullable: true })
  apiKey: string | null;

  /** The key secret's hash. */
  @Column({ name: 'api_secret', type: 'text', nullable: true, select: false })
  apiSecret: string | null;

  @Column({ name: 'api_key_last_used_at', type: 'timestamptz', nullable: true })
  apiKeyLastUsedAt: Date | null;

  @OneToMany('UserRoleEntity', (userRole: UserRoleEntity) => userRole.user)
  userRoles?: Relation<UserRoleEntity>[];

  @OneToMany('TeamMemberEntity', (member: TeamMemberEntity) => member.user)
  teamMemberships?: Relation<TeamMemberEntity>[];
}
