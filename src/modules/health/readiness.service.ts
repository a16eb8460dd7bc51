import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { AppError } from '../../shared/http/errors.js';
import { BackgroundLoop, type WorkerStatus } from '../../shared/worker/background-loop.js';
import { HealthRepository } from './health.repository.js';

/** A round in flight this long, or no round for this long, means a worker is stuck or its timer is gone. */
export const WORKER_STALL_MS = 5 * 60_000;
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Readiness (`GET /health/ready`): the database answers, every migration this build knows is applied,
 * and each background worker the configuration turns on is running and making progress. Liveness
 * stays `GET /health`.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly repository: HealthRepository,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly discovery: DiscoveryService,
  ) {}

  /** The terminus result when ready; a 503 carrying the same result (which check failed, and why) when not. */
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database(), () => this.migrations(), () => this.workers()]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const result = err.getResponse() as HealthCheckResult;
      throw new AppError(503, 'GeneralException', `Not ready: ${Object.keys(result.error ?? {}).join(', ')}`, result);
    }
  }

  private database() {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.repository.ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  private migrations() {
    const session = this.indicators.check('migrations');
    return session
      .attempt(async () => {
        const { pending, known } = await this.repository.migrationState();
        if (pending) throw new Error('migrations are pending');
        return { applied: known };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  private workers() {
    const session = this.indicators.check('workers');
    const statuses: Record<string, WorkerStatus> = {};
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.instance instanceof BackgroundLoop) statuses[wrapper.instance.constructor.name] = wrapper.instance.status();
    }
    const stalled = Object.entries(statuses)
      .filter(([, s]) => s.enabled && !workerAlive(s))
      .map(([name]) => name);
    return stalled.length === 0 ? session.up(statuses) : session.down({ ...statuses, message: `not running or stalled: ${stalled.join(', ')}` });
  }
}

export function workerAlive(s: WorkerStatus): boolean {
  if (!s.running) return false;
  if (s.round_in_flight_ms !== null) return s.round_in_flight_ms < WORKER_STALL_MS;
  return s.last_round_ended_ms_ago === null || s.last_round_ended_ms_ago < WORKER_STALL_MS;
}
