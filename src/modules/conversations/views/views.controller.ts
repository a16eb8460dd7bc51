import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequirePermission } from '../../../shared/auth/decorators.js';
import { Permission } from '../../../shared/auth/permissions.js';
import type { Principal } from '../../../shared/auth/principal.js';
import { IdParam } from '../../../shared/http/params.js';
import { ApiEnvelope, ApiErrors } from './api-docs.js';
import { CreateViewDto, UpdateViewDto, ViewDto } from './dto/view.dto.js';
import { ViewsService } from './views.service.js';

/** Saved conversation filters (beyond the contract); `GET /views/{id}/conversations` applies one. */
@ApiTags('Views')
@Controller('api/v1/views')
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  @Get()
  @RequirePermission(Permission.ViewManage)
  @ApiOperation({ operationId: 'handleGetViews', summary: "The views the caller can use: their own, their teams', and everyone's" })
  @ApiEnvelope(ViewDto, { isArray: true })
  @ApiErrors(401, 403)
  list(@CurrentUser() user: Principal) {
    return this.views.list(user);
  }

  @Post()
  @RequirePermission(Permission.ViewManage)
  @ApiOperation({ operationId: 'handleCreateView', summary: 'Save a view; `team` and `all` visibility need shared_views:manage' })
  @ApiEnvelope(ViewDto)
  @ApiErrors(400, 401, 403)
  create(@CurrentUser() user: Principal, @Body() dto: CreateViewDto) {
    return this.views.create(user, dto);
  }

  @Get(':id')
  @RequirePermission(Permission.ViewManage)
  @ApiOperation({ operationId: 'handleGetView', summary: "One view; someone else's private view is 403" })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelope(ViewDto)
  @ApiErrors(400, 401, 403, 404)
  get(@CurrentUser() user: Principal, @IdParam() id: number) {
    return this.views.get(user, id);
  }

  @Put(':id')
  @RequirePermission(Permission.ViewManage)
  @ApiOperation({ operationId: 'handleUpdateView', summary: 'Partial update of a view the caller may manage' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelope(ViewDto)
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentUser() user: Principal, @IdParam() id: number, @Body() dto: UpdateViewDto) {
    return this.views.update(user, id, dto);
  }

  @Delete(':id')
  @RequirePermission(Permission.ViewManage)
  @ApiOperation({ operationId: 'handleDeleteView', summary: 'Delete a view the caller may manage' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelope('boolean')
  @ApiErrors(400, 401, 403, 404)
  remove(@CurrentUser() user: Principal, @IdParam() id: number) {
    return this.views.remove(user, id);
  }
}
