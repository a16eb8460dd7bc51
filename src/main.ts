import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { ConfigValidationError, validateEnvironment } from './shared/config/app-config.js';
import { loadEnvFile } from './shared/config/env-file.js';
import { AgentsService } from './modules/agents/agents.service.js';
import { logFormat } from './shared/logging/root-logger.js';

// With plenty of physical memory V8 lets the old generation grow to 4x the live set (~55 MB here)
// before a full collection: ~200 MB of garbage under load. 1.3x keeps the peak near 240 MB for about
// 1 % more GC time. V8 reads the flag at every collection; a command-line value takes precedence.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) {
  setFlagsFromString('--heap-growing-percent=30');
}

async function main(): Promise<void> {
  loadEnvFile();
  const config = validateEnvironment();
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining requests and closing the database`);
    // A stuck dependency must not keep the process alive forever.
    setTimeout(() => process.exit(1), 15_000).unref();
    app.close().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error(`shutdown failed: ${err.stack ?? err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Created before the port opens, so the credentials are printed together with "Listening".
  const admin = await app.get(AgentsService).ensureInitialAdmin();
  await app.listen(config.PORT, config.HOST);
  const url = config.ROOT_URL ?? `http://localhost:${config.PORT}`;
  logger.log(`Listening on ${url} (${config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.DATA_DIR}`}); docs at ${url}/docs`);
  if (admin) printFirstStartBanner(logFormat(config), admin, url);
}

/**
 * Printed once, on the first start only: the secret is not stored in a recoverable form. A block of
 * text for a terminal; with JSON logs one line whose message carries the same words, so it reads
 * the same in a log viewer and never breaks a collector's parsing.
 */
function printFirstStartBanner(format: 'json' | 'pretty', admin: { email: string; api_key: string; api_secret: string }, url: string) {
  const curl = `curl -H 'Authorization: token ${admin.api_key}:${admin.api_secret}' ${url}/api/v1/agents/me`;
  const renew = 'npm run cli -- create-admin --email <email>';
  if (format === 'json') {
    // Written whatever LOG_LEVEL is, like the text block: losing it would lock the operator out.
    const msg =
      `First start: an admin was created. email: ${admin.email} api_key: ${admin.api_key} api_secret: ${admin.api_secret} ` +
      `Try it: ${curl} The secret is shown only now. Generate a new pair with: ${renew}`;
    process.stdout.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), context: 'Bootstrap', msg })}\n`);
    return;
  }
  process.stdout.write(
    [
      '',
      '================ First start: an admin was created ================',
      `  email:      ${admin.email}`,
      `  api_key:    ${admin.api_key}`,
      `  api_secret: ${admin.api_secret}`,
      '',
      '  Try it:',
      `    ${curl}`,
      `  Browse the API at ${url}/docs (Authorize with the key and secret).`,
      `  The secret is shown only now. Generate a new pair with: ${renew}`,
      '====================================================================',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigValidationError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
