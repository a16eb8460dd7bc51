import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { withDatabase } from './global-setup.js';

/**
 * Helpers for tests that run the server as production does: the compiled build (`node
 * dist/src/main.js` after `npm run build`) in a child process.
 */
export const projectRoot = join(import.meta.dirname, '../..');
/** A private build, so a test never starts a server from files another test file is rewriting. */
const buildDir = join(projectRoot, '.tmp', 'process-build');
const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Compiles the server once per test run (the vitest workers share a parent) into a private folder.
 * Workers serialise on a lock directory; later callers in the same run reuse the build.
 */
export async function ensureBuilt(): Promise<string> {
  const main = join(buildDir, 'src', 'main.js');
  const marker = join(buildDir, `.built-for-${testRunId()}`);
  const lock = `${buildDir}.lock`;
  mkdirSync(join(projectRoot, '.tmp'), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // A lock left by a process that died (an interrupted run) is taken over.
      if (Date.now() > deadline || !ownerAlive(lock)) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    if (existsSync(marker) && existsSync(main)) return main;
    const tsc = join(projectRoot, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', buildDir, '--tsBuildInfoFile', join(buildDir, '.tsbuildinfo')], {
      cwd: projectRoot,
      timeout: 240_000,
    }).catch((err: { code?: number; stdout?: string; message: string }) => {
      // Exit code 2: type errors, but every file was emitted. Type checking is `npm run typecheck`'s job.
      if (err.code === 2 && existsSync(main)) console.warn(`build emitted with type errors:\n${err.stdout}`);
      else throw new Error(`build failed: ${err.stdout || err.message}`);
    });
    for (const old of readdirSync(buildDir).filter((f) => f.startsWith('.built-for-'))) rmSync(join(buildDir, old), { force: true });
    writeFileSync(marker, new Date().toISOString());
    return main;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // just created, the owner has not written its pid yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The vitest run this worker belongs to: its parent's pid and, on Linux, start time (pids are reused). */
function testRunId(): string {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    return `${process.ppid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return String(process.ppid);
  }
}

export interface Running {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** True while the process has neither exited nor been killed by a signal. */
  alive(): boolean;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown hooks, in-flight work is lost mid-way. */
  kill(): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string>;
  /** Wait for the first-start admin banner too. */
  expectBanner?: boolean;
  timeoutMs?: number;
}

/** Spawns the compiled server on a free port and waits until `/health` answers 200. */
export async function startServer(options: StartOptions): Promise<Running> {
  const main = await ensureBuilt();
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...options.env, PORT: String(port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [main], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (!alive()) throw new Error(`server exited early (${child.exitCode ?? child.signalCode}): ${output}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200 && (!options.expectBanner || /api_secret:\s+\w+/.test(output))) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${output}`);
    }
    await sleep(100);
  }
  return {
    child,
    url,
    port,
    output: () => output,
    alive,
    async stop() {
      if (!alive()) return child.exitCode;
      child.kill('SIGTERM');
      await exited;
      return child.exitCode;
    },
    async kill() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The first-start admin credentials the server prints, as an Authorization header value. */
export function bannerToken(output: string): string {
  const key = /api_key:\s+(\w+)/.exec(output)?.[1];
  const secret = /api_secret:\s+(\w+)/.exec(output)?.[1];
  if (!key || !secret) throw new Error(`no admin credentials in the server output: ${output}`);
  return `token ${key}:${secret}`;
}

/** A new, empty database on the PostgreSQL server at `serverUrl` (the servers migrate it themselves). */
export async function createDatabase(serverUrl: string, prefix = 'libredesk_proc'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A scratch DATA_DIR for a server process. */
export function scratchDir(prefix = 'libredesk-proc-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request with a deadline; a timeout rejects rather than hanging the test. */
export async function api<T = { status: string; data: any; message?: string; error_type?: string }>(
  base: string,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.Authorization = options.auth;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: kept as text for the assertion message */
  }
  return { status: res.status, headers: res.headers, body: body as T };
}
