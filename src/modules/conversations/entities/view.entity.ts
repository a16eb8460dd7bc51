import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import type { AgentEntity } from '../../agents/entities/agent.entity.js';
import type { TeamEntity } from '../../teams/entities/team.entity.js';

export const VIEW_VISIBILITIES = ['user', 'team', 'all'] as const;
export type ViewVisibility = (typeof VIEW_VISIBILITIES)[number];

/** A saved conversation filter: private to its owner (`user`), shared with a team, or with everyone. */
@Entity('views')
@Check('views_name_check', 'length(name) <= 140')
@Check('views_visibility_check', `visibility IN ('all', 'team', 'user')`)
@Check('views_check', `visibility <> 'user' OR user_id IS NOT NULL`)
@Check('views_check1', `visibility <> 'team' OR team_id IS NOT NULL`)
export class ViewEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'views_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  /** The object form's conditions, or the filter language (an array or a `{logic, rules}` tree). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  filters: Record<string, unknown> | unknown[];

  @Column({ type: 'text', default: 'user' })
  visibility: ViewVisibility;

  /** The owner of a `user` view; null for shared views. */
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId: number | null;

  @ManyToOne('AgentEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'views_user_id_fkey' })
  user?: Relation<AgentEntity> | null;

  @Column({ name: 'team_id', type: 'integer', nullable: true })
  teamId: number | null;

  @ManyToOne('TeamEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'views_team_id_fkey' })
  team?: Relation<TeamEntity> | null;
}
