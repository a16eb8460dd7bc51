import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module.js';
import { DeliveriesMetrics } from './deliveries.metrics.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryRetention } from './delivery-retention.js';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity.js';
import { WebhookEntity } from './entities/webhook.entity.js';
import { WebhookSecretBox } from './webhook-secret-box.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookWorker } from './webhook-worker.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Webhook management and the worker that delivers the event log to them. */
@Module({
  imports: [EventsModule, TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity])],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, DeliveriesRepository, WebhookSecretBox, WebhookSender, WebhookWorker, DeliveriesMetrics, DeliveryRetention],
  exports: [WebhooksService],
})
export class WebhooksModule {}
