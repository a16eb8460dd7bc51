import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, TableInheritance, UpdateDateColumn } from 'typeorm';

export const USER_TYPES = ['agent', 'contact', 'visitor', 'ai_assistant'] as const;
export type UserType = (typeof USER_TYPES)[number];

export const AVAILABILITY_STATUSES = ['online', 'away', 'away_manual', 'offline', 'away_and_reassigning'] as const;
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];

/**
 * The `users` table, shared by agents (AgentEntity) and contacts (ContactEntity) through single-table
 * inheritance on `type`. Columns every kind of user has live here; a module's own columns live on its
 * child entity. `deleted_at` is a plain column: soft deletion is filtered by the queries that need it.
 */
@Entity('users')
@TableInheritance({ column: { name: 'type', type: 'text' } })
@Check('users_type_check', `type IN ('agent', 'contact', 'visitor', 'ai_assistant')`)
@Check('users_email_check', 'length(email) <= 320')
@Check('users_first_name_check', 'length(first_name) <= 140')
@Check('users_last_name_check', 'length(last_name) <= 140')
@Check('users_availability_status_check', `availability_status IN ('online', 'away', 'away_manual', 'offline', 'away_and_reassigning')`)
// Expression and trigram indexes for search (migrations SearchIndexes, SearchGrowth).
@Index('users_email_lower_idx', { synchronize: false })
@Index('users_email_trgm', { synchronize: false })
@Index('users_full_name_lower_idx', { synchronize: false })
@Index('users_full_name_trgm', { synchronize: false })
@Index('users_phone_digits_trgm', { synchronize: false })
export abstract class UserEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'users_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** The discriminator: TypeORM writes the child entity's value on insert. */
  @Column({ type: 'text' })
  // (type, updated_at DESC) in the migration; declared on `type` alone it also stands for TypeORM's own discriminator index.
  @Index('users_type_updated_idx', { synchronize: false })
  readonly type: UserType;

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

  @Column({ name: 'avatar_url', type: 'text', nullable: true })
  avatarUrl: string | null;

  @Column({ name: 'custom_attributes', type: 'jsonb', default: () => "'{}'" })
  customAttributes: Record<string, unknown>;

  /** An agent's presence; NOT NULL with a default for every row, so it cannot live on AgentEntity (STI child columns are nullable). */
  @Column({ name: 'availability_status', type: 'text', default: 'offline' })
  availabilityStatus: AvailabilityStatus;
}
