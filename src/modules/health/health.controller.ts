import { Controller, Get } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../../shared/auth/decorators.js';
import { HealthService } from './health.service.js';
import { ReadinessService } from './readiness.service.js';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ operationId: 'handleHealthCheck', summary: 'Health check' })
  check(): Promise<boolean> {
    return this.health.check();
  }

  /** Readiness for a load balancer or orchestrator (README: Probes); operational, so not in the API document. */
  @Get('health/ready')
  @Public()
  @ApiExcludeEndpoint()
  ready(): Promise<HealthCheckResult> {
    return this.readiness.check();
  }
}
