import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { IfMatch, type Precondition } from '../../shared/http/conditional.js';
import { IdParam } from '../../shared/http/params.js';
import { ApiIfMatch } from '../../shared/openapi/extensions.js';
import { CreateTeamDto, UpdateTeamDto } from './dto/team-request.dto.js';
import { TeamsService } from './teams.service.js';

@ApiTags('Teams')
@Controller('api/v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @RequirePermission(Permission.TeamsManage)
  @ApiOperation({ operationId: 'handleGetTeams' })
  list() {
    return this.teams.list();
  }

  @Post()
  @RequirePermission(Permission.TeamsManage)
  @ApiOperation({ operationId: 'handleCreateTeam' })
  create(@Body() dto: CreateTeamDto) {
    return this.teams.create(dto);
  }

  @Get(':id')
  @RequirePermission(Permission.TeamsManage)
  @ApiOperation({ operationId: 'handleGetTeam' })
  get(@IdParam() id: number) {
    return this.teams.get(id);
  }

  @Put(':id')
  @RequirePermission(Permission.TeamsManage)
  @ApiOperation({ operationId: 'handleUpdateTeam' })
  @ApiIfMatch()
  update(@IdParam() id: number, @Body() dto: UpdateTeamDto, @IfMatch() ifMatch: Precondition | null) {
    return this.teams.update(id, dto, ifMatch);
  }

  @Delete(':id')
  @RequirePermission(Permission.TeamsManage)
  @ApiOperation({ operationId: 'handleDeleteTeam' })
  remove(@IdParam() id: number) {
    return this.teams.remove(id);
  }
}
