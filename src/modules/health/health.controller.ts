import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../shared/auth/decorators.js';
import { HealthService } from './health.service.js';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @Public()
  @ApiOperation({ operationId: 'handleHealthCheck', summary: 'Health check' })
  check(): Promise<boolean> {
    return this.health.check();
  }
}
