import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { IdParam } from '../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { DELIVERY_STATUSES } from './deliveries.repository.js';
import { WebhookDeliveryDto, WebhookDeliveryPageDto, WebhookDto } from './dto/webhook.dto.js';
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
