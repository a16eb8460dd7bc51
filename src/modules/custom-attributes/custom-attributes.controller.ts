import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { IdParam } from '../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../shared/openapi/envelope.js';
import { CustomAttributesService } from './custom-attributes.service.js';
import { CustomAttributeDto } from './dto/custom-attribute.dto.js';
import { CreateCustomAttributeRequest, UpdateCustomAttributeRequest } from './dto/custom-attribute-request.dto.js';
import { APPLIES_TO } from './entities/custom-attribute.entity.js';

/** Custom attribute definitions, as Libredesk serves them (beyond the contract). */
@ApiTags('Custom attributes')
@Controller('api/v1/custom-attributes')
export class CustomAttributesController {
  constructor(private readonly attributes: CustomAttributesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetCustomAttributes', summary: 'List custom attribute definitions, most recently changed first' })
  @ApiQuery({ name: 'applies_to', required: false, enum: APPLIES_TO })
  @ApiEnvelopeResponse(CustomAttributeDto, { isArray: true })
  @ApiErrorEnvelopeResponses(400, 401)
  list(@Query('applies_to') appliesTo?: unknown) {
    return this.attributes.list(appliesTo);
  }

  @Get(':id')
  @RequirePermission(Permission.CustomAttributesManage)
  @ApiOperation({ operationId: 'handleGetCustomAttribute', summary: 'Get a custom attribute definition' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse(CustomAttributeDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  get(@IdParam() id: number) {
    return this.attributes.get(id);
  }

  @Post()
  @RequirePermission(Permission.CustomAttributesManage)
  @ApiOperation({ operationId: 'handleCreateCustomAttribute', summary: 'Define a custom attribute' })
  @ApiBody({ type: CreateCustomAttributeRequest })
  @ApiEnvelopeResponse(CustomAttributeDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 409)
  create(@Body() dto: CreateCustomAttributeRequest) {
    return this.attributes.create(dto);
  }

  @Put(':id')
  @RequirePermission(Permission.CustomAttributesManage)
  @ApiOperation({
    operationId: 'handleUpdateCustomAttribute',
    summary: 'Update a definition (omitted fields are unchanged; key, applies_to and data_type are fixed)',
  })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiBody({ type: UpdateCustomAttributeRequest })
  @ApiEnvelopeResponse(CustomAttributeDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  update(@IdParam() id: number, @Body() dto: UpdateCustomAttributeRequest) {
    return this.attributes.update(id, dto);
  }

  @Delete(':id')
  @RequirePermission(Permission.CustomAttributesManage)
  @ApiOperation({ operationId: 'handleDeleteCustomAttribute', summary: 'Delete a definition (stored values stay in place)' })
  @ApiParam({ name: 'id', type: 'integer' })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  remove(@IdParam() id: number) {
    return this.attributes.remove(id);
  }
}
