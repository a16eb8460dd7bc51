import { Injectable } from '@nestjs/common';
import { UpstreamError } from '../../shared/http/errors.js';
import { HealthRepository } from './health.repository.js';

@Injectable()
export class HealthService {
  constructor(private readonly repo: HealthRepository) {}

  /** True when the database answers; 503 otherwise, so a load balancer takes the instance out. */
  async check(): Promise<boolean> {
    try {
      await this.repo.ping();
      return true;
    } catch {
      throw new UpstreamError(503, 'Database is unavailable');
    }
  }
}
