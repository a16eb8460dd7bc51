import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { Conflict, InvalidFields, InvalidInput, NotFound } from '../../shared/http/errors.js';
import { type PageResults, pageResults, parsePage } from '../../shared/http/pagination.js';
import { DELIVERY_STATUSES, DeliveriesRepository, type DeliveryStatus } from './deliveries.repository.js';
import type { CreateWebhookRequest, UpdateWebhookRequest } from './dto/webhook-request.dto.js';
import { assertPublicTarget, parseTargetUrl, TargetRefused } from './target-guard.js';
import { UndecryptableSecret, WebhookSecretBox } from './webhook-secret-box.js';
import { generateSecret } from './webhook-signing.js';
import { toDelivery, toWebhook, type Webhook, type WebhookDelivery } from './webhooks.mapper.js';
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
  ) {}

  async list(): Promise<Webhook[]> {
    return (await this.repo.list()).map((row) => this.present(row));
  }

  async get(id: number): Promise<Webhook> {
    return this.present(await this.require(id));
  }

  /** The only answer that shows the secret in full. */
  async create(dto: CreateWebhookRequest): Promise<Webhook> {
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
        enabled: dto.enabled ?? true,
      },
      await this.events.head(),
    );
    return toWebhook(row, secret, true);
  }

  async update(id: number, dto: UpdateWebhookRequest): Promise<Webhook> {
    await this.require(id);
    if (dto.url != null) await this.checkTarget(dto.url);
    const row = await this.repo.update(id, {
      name: dto.name ?? undefined,
      url: dto.url ?? undefined,
      events: dto.events != null ? normalizeEvents(dto.events) : undefined,
      secret: dto.secret != null ? this.secrets.seal(dto.secret) : undefined,
      enabled: dto.enabled ?? undefined,
    });
    if (!row) throw new NotFound('Webhook not found');
    return this.present(row);
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

/** `*` anywhere means everything; otherwise the distinct types. */
function normalizeEvents(events: string[]): string[] {
  return events.includes('*') ? ['*'] : [...new Set(events)];
}
