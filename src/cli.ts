import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { AgentsService } from './modules/agents/agents.service.js';
import { ConfigValidationError, validateEnvironment } from './shared/config/app-config.js';
import { loadEnvFile } from './shared/config/env-file.js';
import { parseSeedArgs, runSeed, SEED_USAGE, SeedUsageError } from './tools/seed-command.js';
import { SeedRefused } from './tools/seeder.js';
import { DataSource } from 'typeorm';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --email E [--first-name F] [--last-name L]
      Creates the agent with role Admin if absent, issues a fresh API key pair,
      and prints {"id","email","api_key","api_secret"} as one JSON line.

${SEED_USAGE}

Run them while the server is stopped when using the embedded database.`;

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, 'first-name': { type: 'string' }, 'last-name': { type: 'string' } },
    strict: true,
  });
  if (!values.email || !/^[^\s@]+@[^\s@]+$/.test(values.email)) throw new UsageError('create-admin needs --email with a valid address');
  const config = validateEnvironment();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger: ['error'], abortOnError: false });
  try {
    const issued = await app.get(AgentsService).createAdmin(values.email, values['first-name'] ?? 'Admin', values['last-name'] ?? '');
    process.stdout.write(`${JSON.stringify(issued)}\n`);
  } finally {
    await app.close();
  }
}

async function seed(args: string[]): Promise<void> {
  const options = parseSeedArgs(args);
  const config = validateEnvironment();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger: ['error'], abortOnError: false });
  try {
    await runSeed(app.get(DataSource), options);
  } finally {
    await app.close();
  }
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  loadEnvFile();
  const [command, ...rest] = argv;
  switch (command) {
    case 'create-admin':
      return createAdmin(rest);
    case 'seed':
      return seed(rest);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`Unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof SeedRefused) {
      process.stderr.write(`${err.message}\n`);
      process.exit(3);
    }
    if (err instanceof UsageError || err instanceof SeedUsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${err instanceof ConfigValidationError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
