import type { INestApplication, LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, AppModuleOptions } from './app.module.js';
import { AppConfig, type EnvironmentVariables, type LogLevel } from './shared/config/app-config.js';
import { createFastifyAdapter } from './shared/http/fastify.js';
import { registerSecurity } from './shared/http/security.js';
import { setupSwagger } from './shared/openapi/swagger.js';

/** Options every application is created with; Fastify's JSON parser is set up in createFastifyAdapter. */
export const APP_OPTIONS = { bodyParser: false, abortOnError: false } as const;

const LEVELS: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevels(level: LogLevel): NestLogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/**
 * What every HTTP application gets on top of AppModule's global guard, filter, pipe and
 * interceptors: security headers and CORS, the Swagger document, then Fastify made ready. `main.ts` and the test harness both
 * call it, so tests run the production setup.
 */
export async function configureApp<T extends INestApplication>(app: T): Promise<T> {
  await registerSecurity(app as unknown as NestFastifyApplication, app.get(AppConfig));
  setupSwagger(app);
  await app.init();
  await (app as unknown as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

export async function createApp(
  config: EnvironmentVariables,
  options: Omit<AppModuleOptions, 'config'> & { logger?: NestLogLevel[] | false } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ ...options, config }), createFastifyAdapter(config), {
    ...APP_OPTIONS,
    logger: options.logger ?? logLevels(config.LOG_LEVEL),
  });
  return configureApp(app);
}
