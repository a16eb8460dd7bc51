import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { startOpenAiStub } from './openai-stub.js';
import { formatReport, runFuzz } from './runner.js';

export interface CliOptions {
  root: string;
  /** The compiled server's entry point. */
  serverEntry: string;
  requests: number;
  seed: number;
  concurrency: number;
  only?: number[];
  keep: boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A mail server for the outbox worker: it takes every message, except for recipients named
 * `reject-…`, which it refuses for good, so some replies end `failed` and can be retried.
 */
async function startSmtpSink(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!address.address.startsWith('reject-')) return callback();
      callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A fresh database on the DATABASE_URL server, so the first start creates an admin and prints its key. */
async function freshDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `libredesk_fuzz_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
  admin: { email: string; api_key: string; api_secret: string };
}

async function startServer(root: string, entry: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], { cwd: root, env: { ...env, PORT: String(port), HOST: '127.0.0.1' } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited while starting:\n${output}`);
    const key = /api_key:\s+(\S+)/.exec(output)?.[1];
    const secret = /api_secret:\s+(\S+)/.exec(output)?.[1];
    const email = /email:\s+(\S+)/.exec(output)?.[1];
    if (key && secret && email) return { child, url: `http://127.0.0.1:${port}`, output: () => output, admin: { email, api_key: key, api_secret: secret } };
    if (Date.now() > deadline) throw new Error(`the server did not print its first admin within 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `npm run fuzz`: starts the built server (embedded PGlite in a temporary folder, or a fresh database
 * on DATABASE_URL) beside a stub AI provider and a mail sink, fuzzes it, and prints the counts and
 * every failure. Resolves to the exit code: 1 on any 5xx, contract break, dropped connection or crash.
 */
export async function main(options: CliOptions): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'libredesk-fuzz-'));
  const ai = await startOpenAiStub();
  const smtp = await startSmtpSink();
  const db = process.env.DATABASE_URL ? await freshDatabase(process.env.DATABASE_URL) : undefined;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    INBOX_EMAIL: 'Support <support@example.com>',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_TLS: 'none',
    MAIL_POLL_INTERVAL_MS: '200',
    MAIL_MAX_ATTEMPTS: '1',
    OPENAI_BASE_URL: ai.url,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    MEDIA_MAX_FILE_SIZE_MB: '2',
  };
  if (db) env.DATABASE_URL = db.url;
  else delete env.DATABASE_URL;
  let server: Server | undefined;
  try {
    process.stdout.write(`Starting the server on ${db ? 'PostgreSQL (a fresh database)' : 'embedded PGlite'}…\n`);
    server = await startServer(options.root, options.serverEntry, env);
    const me = await fetch(`${server.url}/api/v1/agents/me`, { headers: { Authorization: `token ${server.admin.api_key}:${server.admin.api_secret}` } });
    const admin = { id: ((await me.json()) as { data: { id: number } }).data.id, api_key: server.admin.api_key, api_secret: server.admin.api_secret };
    const child = server.child;
    let crashed = false;
    child.on('exit', () => (crashed = true));
    const total = options.only?.length ?? options.requests;
    process.stdout.write(`Fuzzing ${total} requests (seed ${options.seed}, concurrency ${options.concurrency})…\n`);
    const report = await runFuzz({
      baseUrl: server.url,
      admin,
      requests: options.requests,
      seed: options.seed,
      concurrency: options.concurrency,
      only: options.only,
      onProgress: (done) => {
        if (done % 1000 === 0 || done === total) process.stdout.write(`  ${done}/${total}\n`);
        if (crashed) throw new Error(`the server process exited during the run:\n${server!.output().slice(-4000)}`);
      },
    });
    process.stdout.write(`\n${formatReport(report)}\n`);
    const logged = server
      .output()
      .split('\n')
      .filter((l) => /\bERROR\b/.test(l));
    process.stdout.write(`\nServer log: ${logged.length} ERROR lines${logged.length ? ':' : ''}\n`);
    for (const line of [...new Set(logged.map((l) => stripVTControlCharacters(l).slice(0, 300)))].slice(0, 30)) process.stdout.write(`  ${line}\n`);
    const fiveXX = report.failures.filter((f) => (f.status ?? 0) >= 500).length;
    process.stdout.write(
      `\nRESULT: ${report.requests} requests, ${fiveXX} answered 5xx, ${report.failures.length} failures in all, server ${report.healthy && !crashed ? 'up' : 'DOWN'}\n`,
    );
    return report.failures.length === 0 && report.healthy && !crashed ? 0 : 1;
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server!.child.once('exit', r));
    }
    await ai.close();
    await smtp.close();
    if (!options.keep) {
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    } else process.stdout.write(`Kept ${db ? db.url : dataDir}\n`);
  }
}
