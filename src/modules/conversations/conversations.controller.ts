import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { IdParam, UuidParam } from '../../shared/http/params.js';
import { ApiCursorPage, ApiListFilters } from '../../shared/openapi/extensions.js';
import { CONVERSATION_LIST_FIELDS, DEFAULT_CONVERSATION_SORT } from './conversation-list-fields.js';
import { ConversationLists } from './conversation-lists.service.js';
import { ConversationsService } from './conversations.service.js';
import { CreateConversationDto } from './dto/create-conversation.dto.js';

const LIST_FIELDS = Object.keys(CONVERSATION_LIST_FIELDS);
const ApiConversationFilters = () => ApiListFilters(LIST_FIELDS, DEFAULT_CONVERSATION_SORT);

/** Not `Query`: that name is the decorator, and tsc's decorator metadata would name it as the parameter's type. */
type QueryString = Record<string, unknown>;

@ApiTags('Conversations')
@Controller('api/v1')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly lists: ConversationLists,
  ) {}

  @Post('conversations')
  @RequirePermission(Permission.ConversationsWrite)
  @ApiOperation({ operationId: 'handleCreateConversation' })
  create(@CurrentUser() user: Principal, @Body() dto: CreateConversationDto) {
    return this.conversations.create(user, dto);
  }

  @Get('conversations/all')
  @RequirePermission(Permission.ConversationsReadAll)
  @ApiOperation({ operationId: 'handleGetAllConversations' })
  @ApiCursorPage()
  @ApiConversationFilters()
  all(@CurrentUser() user: Principal, @Query() query: QueryString) {
    return this.lists.all(user, query);
  }

  @Get('conversations/assigned')
  @RequirePermission(Permission.ConversationsReadAssigned)
  @ApiOperation({ operationId: 'handleGetAssignedConversations' })
  @ApiCursorPage()
  @ApiConversationFilters()
  assigned(@CurrentUser() user: Principal, @Query() query: QueryString) {
    return this.lists.assigned(user, query);
  }

  @Get('conversations/unassigned')
  @RequirePermission(Permission.ConversationsReadUnassigned)
  @ApiOperation({ operationId: 'handleGetUnassignedConversations' })
  @ApiCursorPage()
  @ApiConversationFilters()
  unassigned(@CurrentUser() user: Principal, @Query() query: QueryString) {
    return this.lists.unassigned(user, query);
  }

  @Get('teams/:id/conversations/unassigned')
  @RequirePermission(Permission.ConversationsReadTeamInbox)
  @ApiOperation({ operationId: 'handleGetTeamUnassignedConversations' })
  @ApiCursorPage()
  @ApiConversationFilters()
  teamUnassigned(@CurrentUser() user: Principal, @IdParam() id: number, @Query() query: QueryString) {
    return this.lists.teamUnassigned(user, id, query);
  }

  @Get('views/:id/conversations')
  @RequirePermission(Permission.ConversationsRead)
  @ApiOperation({ operationId: 'handleGetViewConversations' })
  @ApiCursorPage()
  @ApiListFilters(LIST_FIELDS, DEFAULT_CONVERSATION_SORT, { filters: false })
  view(@CurrentUser() user: Principal, @IdParam() id: number, @Query() query: QueryString) {
    return this.lists.view(user, id, query);
  }

  @Get('conversations/:uuid')
  @RequirePermission(Permission.ConversationsRead)
  @ApiOperation({ operationId: 'handleGetConversation' })
  get(@CurrentUser() user: Principal, @UuidParam() uuid: string) {
    return this.conversations.get(user, uuid);
  }

  @Get('conversations/:uuid/participants')
  @RequirePermission(Permission.ConversationsRead)
  @ApiOperation({ operationId: 'handleGetConversationParticipants' })
  participants(@CurrentUser() user: Principal, @UuidParam() uuid: string) {
    return this.conversations.participants(user, uuid);
  }
}
