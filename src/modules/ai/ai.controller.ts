import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequirePermission } from '../../shared/auth/decorators.js';
import { Permission } from '../../shared/auth/permissions.js';
import { AiService } from './ai.service.js';
import { AICompletionDto, UpdateAIProviderDto } from './dto/ai-request.dto.js';

@ApiTags('AI completions')
@Controller('api/v1/ai')
export class AiController {
  constructor(private readonly ai: AiService) {}

  @Get('prompts')
  @Authenticated()
  @ApiOperation({ operationId: 'handleGetAIPrompts' })
  prompts() {
    return this.ai.listPrompts();
  }

  @Put('provider')
  @RequirePermission(Permission.AiManage)
  @ApiOperation({ operationId: 'handleUpdateAIProvider' })
  updateProvider(@Body() dto: UpdateAIProviderDto) {
    return this.ai.updateProvider(dto);
  }

  @Post('completion')
  @Authenticated()
  @ApiOperation({ operationId: 'handleAICompletion' })
  complete(@Body() dto: AICompletionDto) {
    return this.ai.complete(dto);
  }
}
