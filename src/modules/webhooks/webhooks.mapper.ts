import { iso } from '../../shared/http/serialize.js';
import type { DeliveryStatus, WebhookDeliveryEntity } from './entities/webhook-delivery.entity.js';
import type { PayloadFormat, WebhookEntity } from './entities/webhook.entity.js';
import { maskSecret } from './webhook-signing.js';

export interface Webhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  /** Libredesk's name for `enabled`. */
  is_active: boolean;
  payload_format: PayloadFormat;
  secret: string;
  created_at: string;
  updated_at: string;
  disabled_reason: string | null;
}

export interface WebhookCompact {
  id: number;
  name: string;
}

export interface WebhookTestResult {
  success: boolean;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
  webhook_id: string;
}

export interface WebhookDelivery {
  id: number;
  event_id: number;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  completed_at: string | null;
}

/** `secret` is the plaintext secret: in full only right after it was generated, masked everywhere else. */
export function toWebhook(row: WebhookEntity, secret: string, revealSecret = false): Webhook {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events ?? [],
    enabled: row.enabled,
    is_active: row.enabled,
    payload_format: row.payloadFormat,
    secret: revealSecret ? secret : maskSecret(secret),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    disabled_reason: row.disabledReason,
  };
}

export function toDelivery(row: WebhookDeliveryEntity): WebhookDelivery {
  return {
    id: Number(row.id),
    event_id: Number(row.eventId),
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    response_status: row.responseStatus,
    last_error: row.lastError,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    last_attempt_at: iso(row.lastAttemptAt),
    next_attempt_at: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    completed_at: iso(row.completedAt),
  };
}
