import { Body, Controller, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { UuidParam } from '../../shared/http/params.js';
import { ConversationUpdates } from './conversation-updates.service.js';
import { AssigneeDto, PriorityDto, StatusDto, TagsDto } from './dto/conversation-update.dto.js';

@ApiTags('Conversations')
@Controller('api/v1/conversations/:uuid')
export class ConversationUpdatesController {
  constructor(private readonly updates: ConversationUpdates) {}

  @Put('assignee/user')
  @RequirePermission(Permission.ConversationsUpdateUserAssignee)
  @ApiOperation({ operationId: 'handleUpdateUserAssignee' })
  assignUser(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: AssigneeDto) {
    return this.updates.assignUser(user, uuid, dto.assignee_id);
  }

  @Put('assignee/user/remove')
  @RequirePermission(Permission.ConversationsUpdateUserAssignee)
  @ApiOperation({ operationId: 'handleRemoveUserAssignee' })
  removeUser(@CurrentUser() user: Principal, @UuidParam() uuid: string) {
    return this.updates.unassignUser(user, uuid);
  }

  @Put('assignee/team')
  @RequirePermission(Permission.ConversationsUpdateTeamAssignee)
  @ApiOperation({ operationId: 'handleUpdateTeamAssignee' })
  assignTeam(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: AssigneeDto) {
    return this.updates.assignTeam(user, uuid, dto.assignee_id);
  }

  @Put('assignee/team/remove')
  @RequirePermission(Permission.ConversationsUpdateTeamAssignee)
  @ApiOperation({ operationId: 'handleRemoveTeamAssignee' })
  removeTeam(@CurrentUser() user: Principal, @UuidParam() uuid: string) {
    return this.updates.unassignTeam(user, uuid);
  }

  @Put('priority')
  @RequirePermission(Permission.ConversationsUpdatePriority)
  @ApiOperation({ operationId: 'handleUpdateConversationPriority' })
  priority(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: PriorityDto) {
    return this.updates.setPriority(user, uuid, dto.priority);
  }

  @Put('status')
  @RequirePermission(Permission.ConversationsUpdateStatus)
  @ApiOperation({ operationId: 'handleUpdateConversationStatus' })
  status(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: StatusDto) {
    return this.updates.setStatus(user, uuid, dto);
  }

  @Post('tags')
  @RequirePermission(Permission.ConversationsUpdateTags)
  @ApiOperation({ operationId: 'handleUpdateConversationtags' })
  tags(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: TagsDto) {
    return this.updates.setTags(user, uuid, dto.tags ?? [], dto.action ?? 'set_tags');
  }

  @Put('last-seen')
  @RequirePermission(Permission.ConversationsRead)
  @ApiOperation({ operationId: 'handleUpdateConversationAssigneeLastSeen' })
  lastSeen(@CurrentUser() user: Principal, @UuidParam() uuid: string) {
    return this.updates.markSeen(user, uuid);
  }
}
