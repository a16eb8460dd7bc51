import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { IfMatch, type Precondition } from '../../shared/http/conditional.js';
import { IdParam } from '../../shared/http/params.js';
import { ApiIfMatch } from '../../shared/openapi/extensions.js';
import { AgentsService } from './agents.service.js';
import { AvailabilityDto, CreateAgentDto, UpdateAgentDto } from './dto/agent-request.dto.js';

@ApiTags('Agents')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleGetAgents' })
  list() {
    return this.agents.list();
  }

  @Post()
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleCreateAgent' })
  create(@Body() dto: CreateAgentDto) {
    return this.agents.create(dto);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetCurrentAgent' })
  me(@CurrentUser() user: Principal) {
    return this.agents.me(user);
  }

  @Put('me/availability')
  @Authenticated()
  @ApiOperation({ operationId: 'handleUpdateAgentAvailability' })
  updateAvailability(@CurrentUser() user: Principal, @Body() dto: AvailabilityDto) {
    return this.agents.updateAvailability(user, dto);
  }

  @Get(':id')
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleGetAgent' })
  get(@IdParam() id: number) {
    return this.agents.get(id);
  }

  @Put(':id')
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleUpdateAgent' })
  @ApiIfMatch()
  update(@IdParam() id: number, @Body() dto: UpdateAgentDto, @IfMatch() ifMatch: Precondition | null) {
    return this.agents.update(id, dto, ifMatch);
  }

  @Delete(':id')
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleDeleteAgent' })
  remove(@CurrentUser() user: Principal, @IdParam() id: number) {
    return this.agents.remove(user, id);
  }

  @Post(':id/api-key')
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleGenerateAPIKey' })
  generateApiKey(@IdParam() id: number) {
    return this.agents.generateApiKey(id);
  }

  @Delete(':id/api-key')
  @RequirePermission(Permission.UsersManage)
  @ApiOperation({ operationId: 'handleRevokeAPIKey' })
  revokeApiKey(@IdParam() id: number) {
    return this.agents.revokeApiKey(id);
  }
}
