import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { Conflict, InvalidFields, InvalidInput, NotFound } from '../../shared/http/errors.js';
import { type PageResults, pageResults, parsePage } from '../../shared/http/pagination.js';
import { DELIVERY_STATUSES, DeliveriesRepository, type DeliveryStatus } from './deliveries.repository.js';
import type { CreateWebhookRequest, UpdateWebhookRequest } from './dto/webhook-request.dto.js';
import { assertPublicTarget, parseTargetUrl, TargetRefused } from './target-guard.js';
import { UndecryptableSecret, WebhookSecretBox } from './webhook-secret-box.js';
import { generateSecret, isMaskedSecret } from './webhook-signing.js';
import { webhookBody } from './webhook-body.js';
import { WebhookSender } from './webhook-sender.js';
import { toDelivery, toWebhook, type Webhook, type WebhookCompact, type WebhookDelivery, type WebhookTestResult } from './webhooks.mapper.js';
import type { WebhookEntity } from './entities/webhook.entity.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { EventsService } from '../events/events.service.js';

const BIG_ID = /^[1-9]\d{0,14}$/;

@Injectable()
export class WebhooksService {
  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly repo: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly secrets: WebhookSecretBox,
    private readonly events: EventsService,
    private readonly sender: WebhookSender,
  ) {}

  async list(): Promise<Webhook[]> {
    return (await this.repo.list()).map((row) => this.present(row));
  }

  /** Upstream's `[{id, name}]` by name, for pickers (e.g. an automation's `trigger_webhook`). */
  async compact(): Promise<WebhookCompact[]> {
    return (await this.repo.compact()).map((row) => ({ id: row.id, name: row.name }));
  }

  async get(id: number): Promise<Webhook> {
    return this.present(await this.require(id));
  }

  /** The only answer that shows the secret in full. */
  async create(dto: CreateWebhookRequest): Promise<Webhook> {
    const enabled = activeFlag(dto);
    await this.checkTarget(dto.url);
    const secret = dto.secret ?? generateSecret();
    // The new webhook starts after the newest event: number what has committed so it is counted.
    await this.events.numberCommitted();
    const row = await this.repo.insert(
      {
        name: dto.name,
        url: dto.url,
        events: normalizeEvents(dto.events ?? ['*']),
        secret: this.secrets.seal(secret),
        enabled: enabled ?? true,
        payloadFormat: dto.payload_format ?? 'standard',
      },
      await this.events.head(),
    );
    return toWebhook(row, secret, true);
  }

  async update(id: number, dto: UpdateWebhookRequest): Promise<Webhook> {
    const enabled = activeFlag(dto);
    await this.require(id);
    if (dto.url != null) await this.checkTarget(dto.url);
    const row = await this.repo.update(id, {
      name: dto.name ?? undefined,
      url: dto.url ?? undefined,
      events: dto.events != null ? normalizeEvents(dto.events) : undefined,
      // A masked secret sent back (a client saving what it read) keeps the stored one, as upstream.
      secret: dto.secret != null && !isMaskedSecret(dto.secret) ? this.secrets.seal(dto.secret) : undefined,
      enabled,
      payloadFormat: dto.payload_format ?? undefined,
    });
    if (!row) throw new NotFound('Webhook not found');
    return this.present(row);
  }

  /** Flips `enabled`/`is_active` and returns the webhook, as upstream's `PUT /webhooks/{id}/toggle`. */
  async toggle(id: number): Promise<Webhook> {
    const row = await this.repo.toggle(id);
    if (!row) throw new NotFound('Webhook not found');
    return this.present(row);
  }

  /**
   * Sends a `webhook.test` event (payload `{id, name}`, as upstream) to the receiver now, in the webhook's
   * format and signed like every delivery, and reports its answer; also for a disabled webhook, as
   * upstream. It is not retried and not logged as a delivery. A receiver that is unreachable or does
   * not answer within WEBHOOK_TIMEOUT_MS is a failure (`success: false`, `response_status: null`).
   */
  async test(id: number): Promise<WebhookTestResult> {
    const webhook = await this.require(id);
    let secret: string;
    try {
      secret = this.secrets.open(webhook.secret);
    } catch (err) {
      if (!(err instanceof UndecryptableSecret)) throw err;
      throw new Conflict('The signing secret cannot be decrypted with the current key: set a new secret first');
    }
    const eventId = `test_${randomUUID()}`;
    const format = webhook.payloadFormat;
    const body = webhookBody(format, { id: eventId, type: 'webhook.test', createdAt: new Date(), payload: { id: webhook.id, name: webhook.name } });
    const started = performance.now();
    const result = await this.sender.send({ url: webhook.url, secret, id: eventId, body, format });
    const duration = Math.round(performance.now() - started);
    return result.ok
      ? { success: true, response_status: result.status, duration_ms: duration, error: null, webhook_id: eventId }
      : { success: false, response_status: result.status, duration_ms: duration, error: result.error, webhook_id: eventId };
  }

  async remove(id: number): Promise<true> {
    if (!(await this.repo.remove(id))) throw new NotFound('Webhook not found');
    return true;
  }

  /** The delivery log, newest event first; `status` filters. */
  async listDeliveries(id: number, query: Record<string, unknown>): Promise<PageResults<WebhookDelivery>> {
    const request = parsePage(query);
    const status = query.status;
    if (status !== undefined && status !== '' && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
      throw new InvalidFields({ status: `must be one of ${DELIVERY_STATUSES.join(', ')}` });
    }
    await this.require(id);
    const [rows, total] = await this.deliveries.page(id, (status || undefined) as DeliveryStatus | undefined, request.pageSize, request.offset);
    return pageResults(rows.map(toDelivery), total, request);
  }

  /** Sends one event to the webhook again, with the same `webhook-id`, ahead of its later pending events. */
  async redeliver(id: number, deliveryIdParam: string): Promise<WebhookDelivery> {
    if (!BIG_ID.test(deliveryIdParam)) throw new InvalidInput('Invalid `deliveryId`: expected a positive integer');
    const deliveryId = Number(deliveryIdParam);
    const webhook = await this.require(id);
    const existing = await this.deliveries.find(id, deliveryId);
    if (!existing) throw new NotFound('Delivery not found');
    if (!webhook.enabled) throw new Conflict('The webhook is disabled: enable it before redelivering');
    if (existing.inFlight) throw new Conflict('This delivery is being attempted right now');
    const row = await this.deliveries.requeue(id, deliveryId);
    if (!row) throw new Conflict('This delivery is being attempted right now');
    return toDelivery(row);
  }

  private async require(id: number): Promise<WebhookEntity> {
    const row = await this.repo.findById(id);
    if (!row) throw new NotFound('Webhook not found');
    return row;
  }

  private present(row: WebhookEntity): Webhook {
    let secret: string;
    try {
      secret = this.secrets.open(row.secret);
    } catch (err) {
      if (!(err instanceof UndecryptableSecret)) throw err;
      secret = '';
    }
    return toWebhook(row, secret);
  }

  /** Refuses targets on loopback, private, link-local and reserved addresses unless the admin allowed them. */
  private async checkTarget(value: string): Promise<void> {
    const url = parseTargetUrl(value);
    if (typeof url === 'string') throw new InvalidFields({ url });
    if (this.config.WEBHOOK_ALLOW_PRIVATE_TARGETS) return;
    try {
      await assertPublicTarget(url);
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err;
      throw new InvalidFields({ url: `refused: ${err.message} (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow)` });
    }
  }
}

/** `enabled` or Libredesk's `is_active` (undefined when neither is given); both with different values is a 400. */
function activeFlag(dto: { enabled?: boolean; is_active?: boolean }): boolean | undefined {
  if (dto.enabled !== undefined && dto.is_active !== undefined && dto.enabled !== dto.is_active) {
    throw new InvalidFields({ is_active: 'must equal `enabled` when both are given (they are the same setting)' });
  }
  return dto.enabled ?? dto.is_active;
}

/** `*` anywhere means everything; otherwise the distinct types. */
function normalizeEvents(events: string[]): string[] {
  return events.includes('*') ? ['*'] : [...new Set(events)];
}
