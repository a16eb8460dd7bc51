import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, Unique } from 'typeorm';
import type { UserEntity } from './user.entity.js';

export type IdempotencyKeyState = 'in_flight' | 'completed';

/**
 * The first response to a POST with an `Idempotency-Key`, per agent (IdempotencyService). The row is
 * the lock while the request runs (`lock_token`) and holds the response afterwards, until `expires_at`.
 */
@Entity('idempotency_keys')
@Unique('idempotency_keys_user_key', ['userId', 'key'])
@Index('idempotency_keys_expires_idx', ['expiresAt'])
@Check('idempotency_keys_state_check', `state IN ('in_flight', 'completed')`)
export class IdempotencyKeyEntity {
  /** int8, so read as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  id: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'idempotency_keys_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'varchar', length: 255 })
  key: string;

  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ type: 'text' })
  method: string;

  @Column({ type: 'text' })
  path: string;

  @Column({ type: 'text', default: 'in_flight' })
  state: IdempotencyKeyState;

  @Column({ name: 'lock_token', type: 'uuid' })
  lockToken: string;

  @Column({ name: 'locked_at', type: 'timestamptz', default: () => 'now()' })
  lockedAt: Date;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_headers', type: 'jsonb', nullable: true })
  responseHeaders: Record<string, string> | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
