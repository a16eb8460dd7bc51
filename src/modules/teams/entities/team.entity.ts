import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('teams')
export class TeamEntity {
  @PrimaryGeneratedColumn()
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
  conversationAssignmentType: 'Round robin' | 'Manual';

  @Column({ name: 'max_auto_assigned_conversations', type: 'integer', default: 0 })
  maxAutoAssignedConversations: number;

  @Column({ name: 'business_hours_id', type: 'integer', nullable: true })
  businessHoursId: number | null;

  @Column({ name: 'sla_policy_id', type: 'integer', nullable: true })
  slaPolicyId: number | null;

  @Column({ type: 'text', default: '' })
  timezone: string;
}
