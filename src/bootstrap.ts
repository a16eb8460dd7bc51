import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, AppModuleOptions } from './app.module.js';
import { AppConfig, type EnvironmentVariables } from './shared/config/app-config.js';
import { createFastifyAdapter } from './shared/http/fastify.js';
import { registerSecurity } from './shared/http/security.js';
import { registerAccessLog } from './shared/logging/access-log.js';
import { nestLoggerFor, ROOT_LOGGER } from './shared/logging/logging.module.js';
import { createRootLogger } from './shared/logging/root-logger.js';
import { registerHttpMetrics } from './shared/metrics/http-metrics.js';
import { MetricsService } from './shared/metrics/metrics.service.js';
import { setupSwagger } from './shared/openapi/swagger.js';

/** Options every application is created with; Fastify's JSON parser is set up in createFastifyAdapter. */
export const APP_OPTIONS = { bodyParser: false, abortOnError: false } as const;

/**
 * What every HTTP application gets on top of AppModule's global guard, filter, pipe and
 * interceptors: security headers and CORS, the Swagger document, then Fastify made ready. `main.ts` and the test harness both
 * call it, so tests run the production setup.
 */
export async function configureApp<T extends INestApplication>(app: T): Promise<T> {
  await registerSecurity(app as unknown as NestFastifyApplication, app.get(AppConfig));
  const fastify = (app as unknown as NestFastifyApplication).getHttpAdapter().getInstance();
  registerAccessLog(fastify, app.get(ROOT_LOGGER));
  registerHttpMetrics(fastify, app.get(MetricsService));
  setupSwagger(app);
  await app.init();
  await (app as unknown as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

export async function createApp(config: EnvironmentVariables, options: Omit<AppModuleOptions, 'config' | 'logger'> = {}): Promise<NestFastifyApplication> {
  // Made before the application so that every line, from the first module's, goes through pino.
  const root = createRootLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ ...options, config, logger: root }), createFastifyAdapter(config), {
    ...APP_OPTIONS,
    logger: nestLoggerFor(root),
  });
  return configureApp(app);
}
