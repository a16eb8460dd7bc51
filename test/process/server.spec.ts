import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { withDatabase } from '../support/global-setup.js';
import { ensureBuilt } from '../support/process.js';

/**
 * The server as `npm start` runs it: the compiled build in a child process. First start prints
 * working admin credentials once, data survives a restart, SIGTERM shuts down cleanly, and the CLI
 * issues credentials while the server is stopped. Runs on the embedded database, or on a fresh
 * PostgreSQL database when DATABASE_URL is set.
 */
const root = join(import.meta.dirname, '../..');
let dataDir: string;
let mainJs: string;
let cliJs: string;
let env: Record<string, string>;
let dropDatabase: (() => Promise<void>) | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  url: string;
}

async function startServer(): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [mainJs], { cwd: root, env: { ...env, PORT: String(port), HOST: '127.0.0.1' } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early: ${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 && (/Listening on/.test(output) || /api_secret/.test(output))) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The first-start banner is printed right after listen; give it a moment.
  await new Promise((r) => setTimeout(r, 500));
  return { child, output: () => output, url };
}

async function stop(server: Running): Promise<number | null> {
  server.child.kill('SIGTERM');
  return new Promise((resolve) => server.child.once('exit', (code) => resolve(code)));
}

beforeAll(async () => {
  mainJs = await ensureBuilt();
  cliJs = join(dirname(mainJs), 'cli.js');
  dataDir = mkdtempSync(join(tmpdir(), 'libredesk-proc-'));
  env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'log' };
  if (process.env.DATABASE_URL) {
    const name = `libredesk_proc_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    env.DATABASE_URL = withDatabase(process.env.DATABASE_URL, name);
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
}, 180_000);

afterAll(async () => {
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

test('first start, SIGTERM, CLI while stopped, restart with the same data', async () => {
  const first = await startServer();
  const key = /api_key:\s+(\w+)/.exec(first.output())?.[1];
  const secret = /api_secret:\s+(\w+)/.exec(first.output())?.[1];
  expect(key, first.output()).toMatch(/^[A-Za-z0-9]{32}$/);
  expect(secret).toMatch(/^[A-Za-z0-9]{64}$/);
  expect(first.output()).toContain('/docs');
  const me = await fetch(`${first.url}/api/v1/agents/me`, { headers: { Authorization: `token ${key}:${secret}` } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { data: { email: string } }).data.email).toBe('admin@localhost');
  expect((await fetch(`${first.url}/docs`)).status).toBe(200);
  expect(await stop(first)).toBe(0);

  const cli = execFileSync(process.execPath, [cliJs, 'create-admin', '--email', 'Ops@Example.com', '--first-name', 'Ops'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const issued = JSON.parse(cli.trim().split('\n').at(-1)!);
  expect(issued).toMatchObject({ email: 'ops@example.com' });
  expect(Object.keys(issued).sort()).toEqual(['api_key', 'api_secret', 'email', 'id']);

  const second = await startServer();
  expect(second.output()).not.toContain('api_secret');
  for (const [k, s] of [
    [key, secret],
    [issued.api_key, issued.api_secret],
  ]) {
    const res = await fetch(`${second.url}/api/v1/agents/me`, { headers: { Authorization: `token ${k}:${s}` } });
    expect(res.status).toBe(200);
  }
  const agents = await fetch(`${second.url}/api/v1/agents`, { headers: { Authorization: `token ${key}:${secret}` } });
  const emails = ((await agents.json()) as { data: Array<{ email: string }> }).data.map((a) => a.email).sort();
  expect(emails).toEqual(['admin@localhost', 'ops@example.com']);
  expect(await stop(second)).toBe(0);
}, 180_000);

test('the CLI explains bad usage', () => {
  let failed: { status?: number; stderr?: string } = {};
  try {
    execFileSync(process.execPath, [cliJs, 'create-admin'], { cwd: root, env, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    failed = err as { status?: number; stderr?: string };
  }
  expect(failed.status).toBe(2);
  expect(failed.stderr).toMatch(/--email/);
});

test('a bad configuration value stops the server with a clear message', () => {
  let failed: { status?: number; stderr?: string } = {};
  try {
    execFileSync(process.execPath, [mainJs], { cwd: root, env: { ...env, PORT: 'abc' }, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    failed = err as { status?: number; stderr?: string };
  }
  expect(failed.status).toBe(1);
  expect(failed.stderr).toMatch(/PORT/);
});
