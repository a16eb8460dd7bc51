import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { EventEntity } from '../../events/entities/event.entity.js';
import type { WebhookEntity } from './webhook.entity.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event sent to one webhook: claimed under a lease like the email outbox, retried with backoff. */
@Entity('webhook_deliveries')
@Unique('webhook_deliveries_webhook_id_event_id_key', ['webhookId', 'eventId'])
@Index('webhook_deliveries_pending_idx', ['webhookId', 'eventId'], { where: `status = 'pending'` })
// Retention prunes finished deliveries by age (migration Retention).
@Index('webhook_deliveries_completed_idx', ['completedAt'], { where: `status <> 'pending'` })
@Check('webhook_deliveries_status_check', `status IN ('pending', 'succeeded', 'failed')`)
export class WebhookDeliveryEntity {
  /** int8, so read as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  id: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'webhook_id', type: 'integer' })
  webhookId: number;

  @ManyToOne('WebhookEntity', (webhook: WebhookEntity) => webhook.deliveries, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'webhook_deliveries_webhook_id_fkey' })
  webhook?: Relation<WebhookEntity>;

  /** The event's public id (`events.id`), not its `seq`. */
  @Column({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @ManyToOne('EventEntity', { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'event_id', referencedColumnName: 'id', foreignKeyConstraintName: 'webhook_deliveries_event_id_fkey' })
  event?: Relation<EventEntity>;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
