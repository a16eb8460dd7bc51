import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const AVAILABILITY_STATUSES = ['online', 'away', 'away_manual', 'offline', 'away_and_reassigning'] as const;
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];

/** A row of `users` (agents, contacts and visitors share the table; this module reads agents). */
@Entity('users')
export class AgentEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  type: 'agent' | 'contact' | 'visitor' | 'ai_assistant';

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'first_name', type: 'text' })
  firstName: string;

  @Column({ name: 'last_name', type: 'text', default: '' })
  lastName: string;

  @Column({ name: 'phone_number_country_code', type: 'text', nullable: true })
  phoneNumberCountryCode: string | null;

  @Column({ name: 'phone_number', type: 'text', nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'text', nullable: true, select: false })
  password: string | null;

  @Column({ name: 'avatar_url', type: 'text', nullable: true })
  avatarUrl: string | null;

  @Column({ name: 'custom_attributes', type: 'jsonb', default: () => "'{}'" })
  customAttributes: Record<string, unknown>;

  @Column({ name: 'availability_status', type: 'text', default: 'offline' })
  availabilityStatus: AvailabilityStatus;

  @Column({ name: 'last_active_at', type: 'timestamptz', nullable: true })
  lastActiveAt: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'api_key', type: 'text', nullable: true })
  apiKey: string | null;

  @Column({ name: 'api_secret', type: 'text', nullable: true, select: false })
  apiSecret: string | null;

  @Column({ name: 'api_key_last_used_at', type: 'timestamptz', nullable: true })
  apiKeyLastUsedAt: Date | null;
}
