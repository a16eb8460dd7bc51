import { Body, Controller, Get, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../../shared/auth/decorators.js';
import { Permission } from '../../../shared/auth/permissions.js';
import type { Principal } from '../../../shared/auth/principal.js';
import { UuidParam } from '../../../shared/http/params.js';
import { ApiCursorPage } from '../../../shared/openapi/extensions.js';
import { SendMessageDto } from './dto/send-message.dto.js';
import { MessagesService } from './messages.service.js';

@ApiTags('Conversations')
@Controller('api/v1/conversations')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get(':uuid/messages')
  @RequirePermission(Permission.MessagesRead)
  @ApiOperation({ operationId: 'handleGetMessages' })
  @ApiCursorPage()
  list(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Query() query: Record<string, unknown>) {
    return this.messages.list(user, uuid, query);
  }

  @Get(':cuuid/messages/:uuid')
  @RequirePermission(Permission.MessagesRead)
  @ApiOperation({ operationId: 'handleGetMessage' })
  get(@CurrentUser() user: Principal, @UuidParam('cuuid') cuuid: string, @UuidParam() uuid: string) {
    return this.messages.get(user, cuuid, uuid);
  }

  @Post(':cuuid/messages')
  @RequirePermission(Permission.MessagesWrite)
  @ApiOperation({ operationId: 'handleSendMessage' })
  send(@CurrentUser() user: Principal, @UuidParam('cuuid') cuuid: string, @Body() dto: SendMessageDto) {
    return this.messages.send(user, cuuid, dto);
  }

  @Put(':cuuid/messages/:uuid/retry')
  @RequirePermission(Permission.MessagesWrite)
  @ApiOperation({ operationId: 'handleRetryMessage' })
  retry(@CurrentUser() user: Principal, @UuidParam('cuuid') cuuid: string, @UuidParam() uuid: string) {
    return this.messages.retry(user, cuuid, uuid);
  }
}
