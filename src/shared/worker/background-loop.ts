import type { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';

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

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Whether configuration turns this worker on. */
  protected abstract enabled(): boolean;

  /** One round; resolves to the delay before the next one, in milliseconds. */
  protected abstract tick(): Promise<number>;

  protected abstract errorDelayMs(): number;

  protected get isStopping(): boolean {
    return this.stopped;
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
    try {
      delay = await this.tick();
    } catch (err) {
      this.logger.error(`${this.constructor.name} round failed: ${err instanceof Error ? err.message : String(err)}`);
      delay = this.errorDelayMs();
    }
    this.schedule(delay);
  }
}
