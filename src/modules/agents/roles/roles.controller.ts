import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequirePermission } from '../../../shared/auth/decorators.js';
import { Permission } from '../../../shared/auth/permissions.js';
import { IdParam } from '../../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../../shared/openapi/envelope.js';
import { CreateRoleDto, RoleDto, UpdateRoleDto } from './dto/role.dto.js';
import { RolesService } from './roles.service.js';

/** Libredesk's role administration (beyond the contract). */
@ApiTags('Roles')
@Controller('api/v1/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetRoles', summary: 'Every role, by id' })
  @ApiEnvelopeResponse(RoleDto, { isArray: true })
  @ApiErrorEnvelopeResponses(401)
  list() {
    return this.roles.list();
  }

  @Get(':id')
  @RequirePermission(Permission.RolesManage)
  @ApiOperation({ operationId: 'handleGetRole', summary: 'One role' })
  @ApiEnvelopeResponse(RoleDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  get(@IdParam() id: number) {
    return this.roles.get(id);
  }

  @Post()
  @RequirePermission(Permission.RolesManage)
  @ApiOperation({ operationId: 'handleCreateRole', summary: 'Create a role; a name in use is 409' })
  @ApiBody({ type: CreateRoleDto })
  @ApiEnvelopeResponse(RoleDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 409)
  create(@Body() dto: CreateRoleDto) {
    return this.roles.create(dto);
  }

  @Put(':id')
  @RequirePermission(Permission.RolesManage)
  @ApiOperation({
    operationId: 'handleUpdateRole',
    summary: 'Update a role (omitted fields are unchanged)',
    description: "The seeded Admin role cannot be changed (400). The holders' next request, on any instance, has the new permissions.",
  })
  @ApiBody({ type: UpdateRoleDto })
  @ApiEnvelopeResponse(RoleDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404, 409)
  update(@IdParam() id: number, @Body() dto: UpdateRoleDto) {
    return this.roles.update(id, dto);
  }

  @Delete(':id')
  @RequirePermission(Permission.RolesManage)
  @ApiOperation({
    operationId: 'handleDeleteRole',
    summary: 'Delete a role',
    description: 'The seeded Admin and Agent roles cannot be deleted (400). Agents holding the role lose it, as in Libredesk.',
  })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  remove(@IdParam() id: number) {
    return this.roles.remove(id);
  }
}
