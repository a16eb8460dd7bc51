import { iso } from '../../shared/http/serialize.js';
import type { DeliveryRow, DeliveryStatus } from './deliveries.repository.js';
import { maskSecret } from './webhook-signing.js';
import type { WebhookRow } from './webhooks.repository.js';

export interface Webhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret: string;
  created_at: string;
  updated_at: string;
  disabled_reason: string | null;
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
export function toWebhook(row: WebhookRow, secret: string, revealSecret = false): Webhook {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events ?? [],
    enabled: row.enabled,
    secret: revealSecret ? secret : maskSecret(secret),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    disabled_reason: row.disabled_reason,
  };
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: Number(row.id),
    event_id: Number(row.event_id),
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    response_status: row.response_status,
    last_error: row.last_error,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    last_attempt_at: iso(row.last_attempt_at),
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    completed_at: iso(row.completed_at),
  };
}
