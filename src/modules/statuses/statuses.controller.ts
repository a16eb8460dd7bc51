import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { IdParam } from '../../shared/http/params.js';
import { StatusRequestDto } from './dto/status-request.dto.js';
import { PrioritiesService } from './priorities.service.js';
import { StatusesService } from './statuses.service.js';

@ApiTags('Status and priority')
@Controller('api/v1')
export class StatusesController {
  constructor(
    private readonly statuses: StatusesService,
    private readonly priorities: PrioritiesService,
  ) {}

  @Get('statuses')
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetStatuses' })
  list() {
    return this.statuses.list();
  }

  @Post('statuses')
  @RequirePermission(Permission.StatusManage)
  @ApiOperation({ operationId: 'handleCreateStatus' })
  create(@Body() dto: StatusRequestDto) {
    return this.statuses.create(dto);
  }

  @Put('statuses/:id')
  @RequirePermission(Permission.StatusManage)
  @ApiOperation({ operationId: 'handleUpdateStatus' })
  update(@IdParam() id: number, @Body() dto: StatusRequestDto) {
    return this.statuses.update(id, dto);
  }

  @Delete('statuses/:id')
  @RequirePermission(Permission.StatusManage)
  @ApiOperation({ operationId: 'handleDeleteStatus' })
  remove(@IdParam() id: number) {
    return this.statuses.remove(id);
  }

  @Get('priorities')
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetPriorities' })
  listPriorities() {
    return this.priorities.list();
  }
}
