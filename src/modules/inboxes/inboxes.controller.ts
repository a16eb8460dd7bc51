import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { IdParam } from '../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { InboxDto } from './dto/inbox.dto.js';
import { InboxCreateRequest, InboxUpdateRequest } from './dto/inbox-request.dto.js';
import { InboxesService } from './inboxes.service.js';

/** Inboxes are not in the Libredesk contract; POST /conversations needs an `inbox_id` to name. */
@ApiTags('Inboxes')
@Controller('api/v1/inboxes')
export class InboxesController {
  constructor(private readonly inboxes: InboxesService) {}

  @Get()
  @RequirePermission(Permission.InboxesManage)
  @ApiOperation({ operationId: 'handleGetInboxes', summary: 'List inboxes' })
  @ApiEnvelopeResponse(InboxDto, { isArray: true })
  @ApiErrorEnvelopeResponses(401, 403)
  list() {
    return this.inboxes.list();
  }

  @Post()
  @RequirePermission(Permission.InboxesManage)
  @ApiOperation({ operationId: 'handleCreateInbox', summary: 'Create an email inbox' })
  @ApiBody({ type: InboxCreateRequest })
  @ApiEnvelopeResponse(InboxDto)
  @ApiErrorEnvelopeResponses(400, 401, 403)
  create(@Body() dto: InboxCreateRequest) {
    return this.inboxes.create(dto);
  }

  @Get(':id')
  @RequirePermission(Permission.InboxesManage)
  @ApiOperation({ operationId: 'handleGetInbox', summary: 'Get an inbox' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse(InboxDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  get(@IdParam() id: number) {
    return this.inboxes.get(id);
  }

  @Put(':id')
  @RequirePermission(Permission.InboxesManage)
  @ApiOperation({ operationId: 'handleUpdateInbox', summary: 'Update an inbox (omitted fields are unchanged)' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiBody({ type: InboxUpdateRequest })
  @ApiEnvelopeResponse(InboxDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  update(@IdParam() id: number, @Body() dto: InboxUpdateRequest) {
    return this.inboxes.update(id, dto);
  }

  @Delete(':id')
  @RequirePermission(Permission.InboxesManage)
  @ApiOperation({ operationId: 'handleDeleteInbox', summary: 'Delete an inbox (soft)' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  remove(@IdParam() id: number) {
    return this.inboxes.remove(id);
  }
}
