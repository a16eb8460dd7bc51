import { Check, Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import type { WebhookDeliveryEntity } from './webhook-delivery.entity.js';

export const PAYLOAD_FORMATS = ['standard', 'libredesk'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** A subscriber URL for event types (`*` for all); the worker fans the event log out to it past `fanout_cursor`. */
@Entity('webhooks')
@Check('webhooks_payload_format_check', `payload_format IN ('standard', 'libredesk')`)
export class WebhookEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'webhooks_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: string[];

  /** Encrypted at rest (WebhookSecretBox). */
  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** The body and signature the receiver gets (migration WebhookPayloadFormat1765540000000). */
  @Column({ name: 'payload_format', type: 'text', default: 'standard' })
  payloadFormat: PayloadFormat;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  /** The last event id fanned out into deliveries; int8, so read as a string. */
  @Column({ name: 'fanout_cursor', type: 'bigint', default: 0 })
  fanoutCursor: string;

  @OneToMany('WebhookDeliveryEntity', (delivery: WebhookDeliveryEntity) => delivery.webhook)
  deliveries?: Relation<WebhookDeliveryEntity[]>;
}
