import { Body, Controller, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { IfMatch, type Precondition } from '../../shared/http/conditional.js';
import { UuidParam } from '../../shared/http/params.js';
import { ApiIfMatch } from '../../shared/openapi/extensions.js';
import { ConversationUpdates } from './conversation-updates.service.js';
import { AssigneeDto, PriorityDto, StatusDto, TagsDto } from './dto/conversation-update.dto.js';

@ApiTags('Conversations')
@Controller('api/v1/conversations/:uuid')
export class ConversationUpdatesController {
  constructor(private readonly updates: ConversationUpdates) {}

  @Put('assignee/user')
  @RequirePermission(Permission.ConversationsUpdateUserAssignee)
  @ApiOperation({ operationId: 'handleUpdateUserAssignee' })
  @ApiIfMatch()
  assignUser(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: AssigneeDto, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.assignUser(user, uuid, dto.assignee_id, ifMatch);
  }

  @Put('assignee/user/remove')
  @RequirePermission(Permission.ConversationsUpdateUserAssignee)
  @ApiOperation({ operationId: 'handleRemoveUserAssignee' })
  @ApiIfMatch()
  removeUser(@CurrentUser() user: Principal, @UuidParam() uuid: string, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.unassignUser(user, uuid, ifMatch);
  }

  @Put('assignee/team')
  @RequirePermission(Permission.ConversationsUpdateTeamAssignee)
  @ApiOperation({ operationId: 'handleUpdateTeamAssignee' })
  @ApiIfMatch()
  assignTeam(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: AssigneeDto, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.assignTeam(user, uuid, dto.assignee_id, ifMatch);
  }

  @Put('assignee/team/remove')
  @RequirePermission(Permission.ConversationsUpdateTeamAssignee)
  @ApiOperation({ operationId: 'handleRemoveTeamAssignee' })
  @ApiIfMatch()
  removeTeam(@CurrentUser() user: Principal, @UuidParam() uuid: string, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.unassignTeam(user, uuid, ifMatch);
  }

  @Put('priority')
  @RequirePermission(Permission.ConversationsUpdatePriority)
  @ApiOperation({ operationId: 'handleUpdateConversationPriority' })
  @ApiIfMatch()
  priority(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: PriorityDto, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.setPriority(user, uuid, dto.priority, ifMatch);
  }

  @Put('status')
  @RequirePermission(Permission.ConversationsUpdateStatus)
  @ApiOperation({ operationId: 'handleUpdateConversationStatus' })
  @ApiIfMatch()
  status(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: StatusDto, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.setStatus(user, uuid, dto, ifMatch);
  }

  @Post('tags')
  @RequirePermission(Permission.ConversationsUpdateTags)
  @ApiOperation({ operationId: 'handleUpdateConversationtags' })
  @ApiIfMatch()
  tags(@CurrentUser() user: Principal, @UuidParam() uuid: string, @Body() dto: TagsDto, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.setTags(user, uuid, dto.tags ?? [], dto.action ?? 'set_tags', ifMatch);
  }

  @Put('last-seen')
  @RequirePermission(Permission.ConversationsRead)
  @ApiOperation({ operationId: 'handleUpdateConversationAssigneeLastSeen' })
  @ApiIfMatch()
  lastSeen(@CurrentUser() user: Principal, @UuidParam() uuid: string, @IfMatch() ifMatch: Precondition | null) {
    return this.updates.markSeen(user, uuid, ifMatch);
  }
}
