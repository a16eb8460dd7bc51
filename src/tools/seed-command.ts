import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { DataSource } from 'typeorm';
import { Seeder, type SeedOptions, type SeedProgress } from './seeder.js';

export class SeedUsageError extends Error {}

export const SEED_USAGE = `  seed --conversations N --messages-per-conversation M --contacts K --agents A --teams T [--seed S] [--force] [--jobs J]
      Fills the database with deterministic, realistic data (names, subjects, message bodies, statuses,
      priorities, assignments, tags, private notes and activity messages). Refuses a database that
      already holds conversations or contacts unless --force is given. --jobs: database sessions
      loading and building indexes in parallel (default 2 on PostgreSQL, at most DB_POOL_SIZE; 1 on PGlite).`;

function positive(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new SeedUsageError(`seed needs --${name}`);
  }
  if (!/^\d+$/.test(value)) throw new SeedUsageError(`--${name} must be a non-negative integer`);
  return Number(value);
}

export function parseSeedArgs(args: string[]): SeedOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        conversations: { type: 'string' },
        'messages-per-conversation': { type: 'string' },
        contacts: { type: 'string' },
        agents: { type: 'string' },
        teams: { type: 'string' },
        seed: { type: 'string' },
        force: { type: 'boolean' },
        'batch-size': { type: 'string' },
        jobs: { type: 'string' },
      },
    });
  } catch (err) {
    throw new SeedUsageError((err as Error).message);
  }
  const { values } = parsed;
  const options: SeedOptions = {
    conversations: positive('conversations', values.conversations),
    messagesPerConversation: positive('messages-per-conversation', values['messages-per-conversation'], 5),
    contacts: positive('contacts', values.contacts, 0),
    agents: positive('agents', values.agents, 10),
    teams: positive('teams', values.teams, 3),
    seed: positive('seed', values.seed, 1),
    force: values.force ?? false,
    batchSize: values['batch-size'] ? positive('batch-size', values['batch-size']) : undefined,
    jobs: values.jobs ? positive('jobs', values.jobs) : undefined,
  };
  if (options.jobs === 0) throw new SeedUsageError('--jobs must be at least 1');
  if (options.contacts === 0) options.contacts = Math.max(1, Math.ceil(options.conversations / 3));
  if (options.messagesPerConversation < 1) throw new SeedUsageError('--messages-per-conversation must be at least 1');
  return options;
}

/** A progress bar with a rate on stderr, so stdout stays for the one JSON summary line. */
function progressBar(): SeedProgress {
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, label) {
      bar = new cliProgress.SingleBar(
        { format: `${label.padEnd(40)} [{bar}] {percentage}% {value}/{total} {rate}/s eta {eta_formatted}`, stream: process.stderr, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      const startedAt = Date.now();
      bar.start(total, 0, { rate: 0 });
      const update = bar.update.bind(bar);
      bar.update = ((value: number) => update(value, { rate: Math.round(value / Math.max(0.001, (Date.now() - startedAt) / 1000)) })) as typeof bar.update;
    },
    update: (done) => bar?.update(done),
    stop: () => bar?.stop(),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

export async function runSeed(dataSource: DataSource, options: SeedOptions): Promise<void> {
  // Each job holds one pooled connection for the whole run, so there are never more jobs than connections.
  const pool = (dataSource.options as { poolSize?: number }).poolSize ?? 1;
  const jobs = Math.max(1, Math.min(options.jobs ?? 2, pool));
  const result = await new Seeder(dataSource, progressBar()).run({ ...options, jobs });
  process.stdout.write(`${JSON.stringify({ ...result, rate_messages_per_s: Math.round(result.messages / Math.max(result.seconds, 0.001)) })}\n`);
}
