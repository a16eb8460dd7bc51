import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { AgentEntity } from '../../agents/entities/agent.entity.js';
import type { TeamEntity } from './team.entity.js';

/** An agent's membership of a team. */
@Entity('team_members')
@Index('team_members_user_idx', ['userId'])
export class TeamMemberEntity {
  @PrimaryColumn({ name: 'team_id', type: 'integer', primaryKeyConstraintName: 'team_members_pkey' })
  teamId: number;

  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'team_members_pkey' })
  userId: number;

  @Column({ type: 'text', nullable: true })
  emoji: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('TeamEntity', (team: TeamEntity) => team.members, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'team_members_team_id_fkey' })
  team?: Relation<TeamEntity>;

  @ManyToOne('AgentEntity', (agent: AgentEntity) => agent.teamMemberships, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'team_members_user_id_fkey' })
  user?: Relation<AgentEntity>;
}
