import { ApiProperty } from '@nestjs/swagger';
import { EVENT_TYPES } from '../../events/event-types.js';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../entities/webhook.entity.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../deliveries.repository.js';

/** Documentation of `toWebhook` (webhooks.mapper.ts). */
export class WebhookDto {
  @ApiProperty({ example: 1 })
  id: number;

  @ApiProperty({ example: 'CRM sync' })
  name: string;

  @ApiProperty({ example: 'https://hooks.example.com/libredesk' })
  url: string;

  @ApiProperty({ type: [String], example: ['conversation.created', 'message.created'], description: `\`*\` or event types: ${EVENT_TYPES.join(', ')}` })
  events: string[];

  @ApiProperty({ description: 'Disabled webhooks get nothing; when enabled again they receive the events recorded meanwhile' })
  enabled: boolean;

  @ApiProperty({ description: "The same as `enabled` (Libredesk's name for it)" })
  is_active: boolean;

  @ApiProperty({ enum: PAYLOAD_FORMATS, description: "Body and signature the receiver gets: `standard` (Standard Webhooks) or `libredesk` (upstream's)" })
  payload_format: PayloadFormat;

  @ApiProperty({
    example: 'whsec_********Qk0=',
    description: 'Signing secret. In full only in the create response (when generated or given); masked afterwards',
  })
  secret: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ type: String, nullable: true, description: 'Why the server disabled it (repeated failure); null otherwise' })
  disabled_reason: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ example: 17 })
  id: number;

  @ApiProperty({ example: 1042, description: 'The event id, also sent as the `webhook-id` header' })
  event_id: number;

  @ApiProperty({ enum: EVENT_TYPES })
  event_type: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiProperty({ type: Number, nullable: true, example: 200, description: 'HTTP status of the last attempt; null when none was received' })
  response_status: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_attempt_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a pending delivery is tried next' })
  next_attempt_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it succeeded or finally failed' })
  completed_at: string | null;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Newest event first' })
  results: WebhookDeliveryDto[];

  @ApiProperty({ example: 42 })
  total: number;

  @ApiProperty({ example: 30 })
  per_page: number;

  @ApiProperty({ example: 2 })
  total_pages: number;

  @ApiProperty({ example: 1 })
  page: number;
}

/** `GET /webhooks/compact`: upstream's `[{id, name}]`. */
export class WebhookCompactDto {
  @ApiProperty({ example: 1 })
  id: number;

  @ApiProperty({ example: 'CRM sync' })
  name: string;
}

/** `POST /webhooks/{id}/test`: how the receiver answered the `webhook.test` event. */
export class WebhookTestResultDto {
  @ApiProperty({ description: 'True when the receiver answered 2xx' })
  success: boolean;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 200,
    description: "The receiver's HTTP status; null when none was received (unreachable, timed out, refused)",
  })
  response_status: number | null;

  @ApiProperty({ example: 42, description: 'Milliseconds from sending until the answer (or the failure)' })
  duration_ms: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why it failed (network error, timeout, the HTTP status and start of the answer); null on success',
  })
  error: string | null;

  @ApiProperty({ example: 'test_0b6f7c1e-7b1a-4c55-9a36-2f0d0c6f4b1e', description: 'The `webhook-id` header sent (never a real event id)' })
  webhook_id: string;
}
