import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequirePermission } from '../../../shared/auth/decorators.js';
import { Permission } from '../../../shared/auth/permissions.js';
import { IdParam } from '../../../shared/http/params.js';
import { ApiEnvelopeResponse, ApiErrorEnvelopeResponses } from '../../../shared/openapi/envelope.js';
import { TagDto, TagRequestDto } from './dto/tag.dto.js';
import { TagsService } from './tags.service.js';

/** Libredesk's tag administration (beyond the contract). Conversations carry tags by name. */
@ApiTags('Tags')
@Controller('api/v1/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetTags', summary: 'Every tag, by name' })
  @ApiEnvelopeResponse(TagDto, { isArray: true })
  @ApiErrorEnvelopeResponses(401)
  list() {
    return this.tags.list();
  }

  @Post()
  @RequirePermission(Permission.TagsManage)
  @ApiOperation({ operationId: 'handleCreateTag', summary: 'Create a tag; a name taken in any case is 409' })
  @ApiBody({ type: TagRequestDto })
  @ApiEnvelopeResponse(TagDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 409)
  create(@Body() dto: TagRequestDto) {
    return this.tags.create(dto.name);
  }

  @Put(':id')
  @RequirePermission(Permission.TagsManage)
  @ApiOperation({
    operationId: 'handleUpdateTag',
    summary: 'Rename a tag',
    description: 'Every conversation carrying the tag gets a `conversation.tags_changed` event. A name taken by another tag in any case is 409.',
  })
  @ApiBody({ type: TagRequestDto })
  @ApiEnvelopeResponse(TagDto)
  @ApiErrorEnvelopeResponses(400, 401, 403, 404, 409)
  update(@IdParam() id: number, @Body() dto: TagRequestDto) {
    return this.tags.rename(id, dto.name);
  }

  @Delete(':id')
  @RequirePermission(Permission.TagsManage)
  @ApiOperation({
    operationId: 'handleDeleteTag',
    summary: 'Delete a tag',
    description: 'The tag is removed from every conversation, each of which gets a `conversation.tags_changed` event.',
  })
  @ApiEnvelopeResponse('boolean')
  @ApiErrorEnvelopeResponses(400, 401, 403, 404)
  remove(@IdParam() id: number) {
    return this.tags.remove(id);
  }
}
