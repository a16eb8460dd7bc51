import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { IdParam } from '../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { DELIVERY_STATUSES } from './deliveries.repository.js';
import { WebhookCompactDto, WebhookDeliveryDto, WebhookDeliveryPageDto, WebhookDto, WebhookTestResultDto } from './dto/webhook.dto.js';
import { CreateWebhookRequest, UpdateWebhookRequest } from './dto/webhook-request.dto.js';
import { WebhooksService } from './webhooks.service.js';

/** Webhooks are beyond the Libredesk contract: signed (Standard Webhooks), retried, logged, fed from the event log. */
@ApiTags('Webhooks')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({ operationId: 'handleGetWebhooks', summary: 'List webhooks' })
  @ApiEnvelopeResponse(WebhookDto, { isArray: true })
  @ApiErrorEnvelopeResponses(401, 403)
  list() {
    return this.webhooks.list();
  }

  @Post()
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({
    operationId: 'handleCreateWebhook',
    summary: 'Create a webhook',
    description: 'The response is the only one that shows the signing secret in full.',
  })
  @ApiBody({ type: CreateWebhookRequest })
  @ApiEnvelopeResponse(WebhookDto)
  @ApiErrorEnvelopeResponses(400, 401, 403)
  create(@Body() dto: CreateWebhookRequest) {
    return this.webhooks.create(dto);
  }

  /** Declared before `:id`; `compact` is also a static segment, which the router prefers to a parameter. */
  @Get('compact')
  @Authenticated()
  @ApiOperation({
    operationId: 'handleGetWebhooksCompact',
    summary: 'Webhook ids and names, by name',
    description: "Upstream Libredesk's compact list (for pickers such as an automation's webhook): any authenticated agent, as upstream.",
  })
  @ApiEnvelopeResponse(WebhookCompactDto, { isArray: true })
  @ApiErrorEnvelopeResponses(401)
  compact() {
    return this.webhooks.compact();
  }

  @Get(':id')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({ operationId: 'handleGetWebhook', summary: 'Get a webhook' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse(WebhookDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  get(@IdParam() id: number) {
    return this.webhooks.get(id);
  }

  @Put(':id')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({ operationId: 'handleUpdateWebhook', summary: 'Update a webhook (omitted fields are unchanged)' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiBody({ type: UpdateWebhookRequest })
  @ApiEnvelopeResponse(WebhookDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  update(@IdParam() id: number, @Body() dto: UpdateWebhookRequest) {
    return this.webhooks.update(id, dto);
  }

  @Put(':id/toggle')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({
    operationId: 'handleToggleWebhook',
    summary: 'Enable a disabled webhook or disable an enabled one',
    description: 'Flips `enabled`/`is_active` (no request body) and returns the webhook, as upstream Libredesk. Enabling clears `disabled_reason`.',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse(WebhookDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  toggle(@IdParam() id: number) {
    return this.webhooks.toggle(id);
  }

  @Post(':id/test')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({
    operationId: 'handleTestWebhook',
    summary: 'Send a webhook.test event now and report how the receiver answered',
    description:
      "Sends `webhook.test` (payload `{id, name}`) in the webhook's `payload_format`, signed like every delivery, also when the webhook is disabled. " +
      'Waits for the answer (at most WEBHOOK_TIMEOUT_MS). A receiver that answers non-2xx, cannot be reached or times out gives `success: false` ' +
      'with the status (or null) and the error; the request itself still succeeds. Not retried, not in the delivery log.',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse(WebhookTestResultDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404, 409)
  test(@IdParam() id: number) {
    return this.webhooks.test(id);
  }

  @Delete(':id')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({ operationId: 'handleDeleteWebhook', summary: 'Delete a webhook and its delivery log' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  remove(@IdParam() id: number) {
    return this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({ operationId: 'handleGetWebhookDeliveries', summary: 'Delivery log of a webhook, newest event first' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiQuery({ name: 'page', required: false, schema: { type: 'integer', minimum: 1, default: 1 } })
  @ApiQuery({ name: 'page_size', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 30 } })
  @ApiQuery({ name: 'status', required: false, enum: DELIVERY_STATUSES })
  @ApiEnvelopeResponse(WebhookDeliveryPageDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  deliveries(@IdParam() id: number, @Query() query: Record<string, unknown>) {
    return this.webhooks.listDeliveries(id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @RequirePermission(Permission.WebhooksManage)
  @ApiOperation({
    operationId: 'handleRedeliverWebhook',
    summary: 'Send one delivery again',
    description: 'Queues the event again for this webhook with the same `webhook-id`, ahead of its later pending events.',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiParam({ name: 'deliveryId', type: 'integer' })
  @ApiEnvelopeResponse(WebhookDeliveryDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404, 409)
  redeliver(@IdParam() id: number, @Param('deliveryId') deliveryId: string) {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
