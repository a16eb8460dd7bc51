import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDatabase, ensureBuilt, freePort, projectRoot, scratchDir, sleep } from '../support/process.js';

/**
 * No Docker engine runs here, so this test runs what the Dockerfile's final image is made of and
 * does, read from the Dockerfile itself: the `deps` stage's install command on a clean copy of the
 * package files, the files the final stage copies (the build output standing in for `--from=build`),
 * then its CMD, and checks that the server answers /health. It proves that nothing the server needs
 * at run time sits in devDependencies or outside the copied files.
 */
const run = promisify(execFile);

interface Stage {
  name: string;
  lines: string[];
}

function stages(dockerfile: string): Stage[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const out: Stage[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ name: from[1] ?? String(out.length), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const dockerfile = stages(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'));
const final = dockerfile.at(-1)!;
const deps = dockerfile.find((s) => s.name === 'deps')!;
let workDir: string;
const cleanups: Array<() => Promise<void> | void> = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 300_000);

test('the Dockerfile installs production dependencies only and runs the compiled server as a non-root user', () => {
  expect(deps.lines).toContain('COPY package.json package-lock.json ./');
  expect(deps.lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
  expect(final.lines).toContain('USER node');
  expect(final.lines.some((l) => l.startsWith('HEALTHCHECK') && l.includes('/health'))).toBe(true);
  expect(final.lines).toContain('VOLUME ["/data"]');
  // The image runs exactly what `npm start` runs, node's memory flags included.
  const start = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  expect(JSON.parse(final.lines.find((l) => l.startsWith('CMD'))!.slice(3))).toEqual(start.trim().split(/\s+/));
});

test('a clean copy with `npm ci --omit=dev` starts and answers /health', async () => {
  const built = await ensureBuilt(); // <build>/src/main.js: the build output, laid out like dist/
  workDir = mkdtempSync(join(tmpdir(), 'libredesk-image-'));
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));

  // The deps stage: its COPY, then its RUN.
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(projectRoot, file), join(workDir, file));
  const install = deps.lines
    .find((l) => l.startsWith('RUN npm ci'))!
    .replace(/^RUN /, '')
    .split('&&')[0]
    .trim()
    .split(/\s+/);
  await run(install[0], [...install.slice(1), '--prefer-offline'], { cwd: workDir, timeout: 400_000, env: { ...process.env, NODE_ENV: 'production' } });

  // The final stage's COPY lines, with the build output for `--from=build` and the install above for `--from=deps`.
  for (const line of final.lines.filter((l) => l.startsWith('COPY'))) {
    const [, from, source, target] = /^COPY\s+(?:--from=(\S+)\s+)?(\S+)\s+(\S+)$/.exec(line) ?? [];
    expect(source, line).toBeDefined();
    if (from === 'deps') continue;
    const src = from === 'build' ? join(built, '../..') : join(projectRoot, source);
    cpSync(src, join(workDir, target === './' ? source : target), { recursive: true });
  }
  rmSync(join(workDir, 'package-lock.json'));

  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  for (const line of final.lines.filter((l) => l.startsWith('ENV'))) {
    for (const [, k, v] of line.matchAll(/(\w+)=(\S+)/g)) env[k] = v;
  }
  const data = scratchDir();
  cleanups.push(() => data.remove());
  env.DATA_DIR = data.path;
  env.PORT = String(await freePort());
  env.HOST = '127.0.0.1';
  if (process.env.DATABASE_URL) {
    const db = await createDatabase(process.env.DATABASE_URL, 'libredesk_image');
    cleanups.push(() => db.drop());
    env.DATABASE_URL = db.url;
  }
  const [command, ...args] = JSON.parse(final.lines.find((l) => l.startsWith('CMD'))!.slice(3)) as string[];
  const child = spawn(command === 'node' ? process.execPath : command, args, { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => void child.kill('SIGKILL'));

  const deadline = Date.now() + 150_000;
  let health: Response | undefined;
  while (!health && Date.now() < deadline && child.exitCode === null) {
    health = await fetch(`http://127.0.0.1:${env.PORT}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (!health) await sleep(200);
  }
  expect(health?.status, output).toBe(200);
  expect(await health!.json()).toEqual({ status: 'success', data: true });
  // JSON logs, as the image's LOG_FORMAT says; every line parses.
  for (const line of output.split('\n').filter((l) => l.trim())) expect(() => JSON.parse(line), line).not.toThrow();
  // Stopping the container: SIGTERM to node (PID 1 in the image) drains and exits 0.
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 600_000);
