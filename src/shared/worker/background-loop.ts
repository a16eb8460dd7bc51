import type { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';

export interface WorkerStatus {
  enabled: boolean;
  running: boolean;
  round_in_flight_ms: number | null;
  last_round_ended_ms_ago: number | null;
  last_error: string | null;
}

/**
 * A worker that runs rounds one after another inside a server process (outbox delivery, webhook
 * delivery). It starts when the HTTP application boots (CLI commands build the same modules without an
 * HTTP adapter, so they never deliver), and shutdown waits for the round in flight. A round that throws
 * is logged and the loop goes on after `errorDelayMs()`.
 */
export abstract class BackgroundLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected abstract readonly logger: Logger;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private roundStartedAt: number | undefined;
  private lastRoundEndedAt: number | undefined;
  private lastError: string | undefined;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Whether configuration turns this worker on. */
  protected abstract enabled(): boolean;

  /** One round; resolves to the delay before the next one, in milliseconds. */
  protected abstract tick(): Promise<number>;

  protected abstract errorDelayMs(): number;

  protected get isStopping(): boolean {
    return this.stopped;
  }

  /** For readiness: whether the loop runs, and how long its round in flight (if any) has taken. */
  status(): WorkerStatus {
    const now = Date.now();
    return {
      enabled: this.enabled() && !!this.adapterHost.httpAdapter,
      running: !this.stopped,
      round_in_flight_ms: this.roundStartedAt === undefined ? null : now - this.roundStartedAt,
      last_round_ended_ms_ago: this.lastRoundEndedAt === undefined ? null : now - this.lastRoundEndedAt,
      last_error: this.lastError ?? null,
    };
  }

  onApplicationBootstrap(): void {
    if (!this.enabled() || !this.adapterHost.httpAdapter) return;
    this.stopped = false;
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.loop().finally(() => (this.round = undefined));
    }, delayMs);
  }

  private async loop(): Promise<void> {
    let delay: number;
    this.roundStartedAt = Date.now();
    try {
      delay = await this.tick();
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.logger.error(`${this.constructor.name} round failed: ${this.lastError}`);
      delay = this.errorDelayMs();
    }
    this.roundStartedAt = undefined;
    this.lastRoundEndedAt = Date.now();
    this.schedule(delay);
  }
}
