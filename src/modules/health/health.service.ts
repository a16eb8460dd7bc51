import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UpstreamError } from '../../shared/http/errors.js';

@Injectable()
export class HealthService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when the database answers; 503 otherwise, so a load balancer takes the instance out. */
  async check(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      throw new UpstreamError(503, 'Database is unavailable');
    }
  }
}
