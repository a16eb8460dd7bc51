import { Check, Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, type Relation, Unique, UpdateDateColumn } from 'typeorm';
import type { TeamMemberEntity } from './team-member.entity.js';

export const ASSIGNMENT_TYPES = ['Round robin', 'Manual'] as const;
export type AssignmentType = (typeof ASSIGNMENT_TYPES)[number];

@Entity('teams')
@Unique('teams_name_key', ['name'])
@Check('teams_name_check', 'length(name) <= 140')
@Check('teams_emoji_check', 'length(emoji) <= 50')
@Check('teams_conversation_assignment_type_check', `conversation_assignment_type IN ('Round robin', 'Manual')`)
export class TeamEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'teams_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  emoji: string | null;

  @Column({ name: 'conversation_assignment_type', type: 'text' })
  conversationAssignmentType: AssignmentType;

  @Column({ name: 'max_auto_assigned_conversations', type: 'integer', default: 0 })
  maxAutoAssignedConversations: number;

  @Column({ name: 'business_hours_id', type: 'integer', nullable: true })
  businessHoursId: number | null;

  @Column({ name: 'sla_policy_id', type: 'integer', nullable: true })
  slaPolicyId: number | null;

  @Column({ type: 'text', default: '' })
  timezone: string;

  @OneToMany('TeamMemberEntity', (member: TeamMemberEntity) => member.team)
  members?: Relation<TeamMemberEntity>[];
}
