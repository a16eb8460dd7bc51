import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { SearchService } from './search.service.js';

@ApiTags('Search')
@Controller('api/v1')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get('conversations/search')
  @RequirePermission(Permission.ConversationsRead)
  @ApiOperation({ operationId: 'handleSearchConversations' })
  conversations(@CurrentUser() user: Principal, @Query('query') query: unknown) {
    return this.search.conversations(user, query);
  }

  @Get('messages/search')
  @RequirePermission(Permission.MessagesRead)
  @ApiOperation({ operationId: 'handleSearchMessages' })
  messages(@CurrentUser() user: Principal, @Query('query') query: unknown) {
    return this.search.messages(user, query);
  }

  @Get('contacts/search')
  @RequirePermission(Permission.ContactsRead)
  @ApiOperation({ operationId: 'handleSearchContacts' })
  contacts(@Query('query') query: unknown) {
    return this.search.contacts(query);
  }
}
