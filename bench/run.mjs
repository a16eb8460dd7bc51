// npm run bench -- [--sizes 20000,200000,1000000] [--full-sizes 200000,1000000] [--messages-per-conversation 5]
//                  [--duration 5] [--connections 1,16,64]
//                  [--only name,name] [--reseed] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
//                  [--database NAME (an already seeded database; one size)] [--before DIR (another build's
//                  checkout, with dist/, measured in the same run)] [--rounds 1 (alternating runs per figure)]
//                  [--pool-size 10] [--app-only]
//                  [--profile DIR (the app writes a V8 CPU profile there)]
// Seeds (or reuses) a PostgreSQL database per size, starts the compiled app and the bare baseline side by
// side on it, and measures each scenario with autocannon. Sizes outside --full-sizes measure only the
// message searches (the search latency at that many messages). Prints one JSON line per scenario and
// size, one per seeding (its time, also kept as the database's comment so a reused database still
// reports it), then a summary of the targets. Nothing here asserts a time; it reports figures.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { searchLatency } from './search-latency.mjs';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20000,200000,1000000' },
    'full-sizes': { type: 'string', default: '200000,1000000' },
    'messages-per-conversation': { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,16,64' },
    only: { type: 'string' },
    reseed: { type: 'boolean', default: false },
    'admin-url': { type: 'string', default: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'pool-size': { type: 'string', default: '10' },
    'skip-build': { type: 'boolean', default: false },
    'app-only': { type: 'boolean', default: false },
    profile: { type: 'string' },
    database: { type: 'string' },
    before: { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const fullSizes = new Set(args['full-sizes'].split(',').map(Number));
const perConversation = Number(args['messages-per-conversation']);
const duration = Number(args.duration);
const connectionLevels = args.connections.split(',').map(Number);
const only = args.only ? new Set(args.only.split(',')) : null;
const log = (line) => process.stderr.write(`${line}\n`);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const dbUrl = (name) => {
  const u = new URL(args['admin-url']);
  u.pathname = `/${name}`;
  return u.toString();
};

async function ensureDatabase(size) {
  if (args.database) {
    log(`using ${args.database} as it is`);
    return dbUrl(args.database);
  }
  const name = `libredesk_bench_${size}_${perConversation}`;
  const admin = new pg.Client({ connectionString: args['admin-url'] });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount > 0;
  let seeded = false;
  if (exists && !args.reseed) {
    const c = new pg.Client({ connectionString: dbUrl(name) });
    await c.connect();
    const n = await c.query(`SELECT count(*)::int AS n FROM conversations`).then(
      (r) => r.rows[0].n,
      () => -1,
    );
    await c.end();
    seeded = n === size;
  }
  if (!seeded) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    log(`seeding ${name}: ${size} conversations x ${perConversation} messages`);
    const started = Date.now();
    execFileSync(
      process.execPath,
      [
        'dist/src/cli.js',
        'seed',
        '--conversations',
        String(size),
        '--messages-per-conversation',
        String(perConversation),
        '--contacts',
        String(Math.ceil(size / 3)),
        '--agents',
        '50',
        '--teams',
        '5',
        '--seed',
        '1',
      ],
      {
        env: { ...process.env, DATABASE_URL: dbUrl(name), MAIL_WORKER_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false' },
        stdio: ['ignore', 2, 'inherit'], // its summary line goes to stderr: stdout is this run's JSON lines
      },
    );
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    await admin.query(`COMMENT ON DATABASE ${name} IS 'seeded in ${seconds} s'`);
  } else {
    log(`reusing ${name}`);
  }
  const comment = (await admin.query(`SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`, [name])).rows[0]?.c;
  const seconds = /seeded in ([\d.]+) s/.exec(comment ?? '')?.[1];
  if (seconds)
    process.stdout.write(`${JSON.stringify({ scenario: 'seed', size, messages: size * perConversation, seconds: Number(seconds), reused: seeded })}\n`);
  await admin.end();
  return dbUrl(name);
}

function credentials(url, email) {
  const out = execFileSync(process.execPath, ['dist/src/cli.js', 'create-admin', '--email', email], {
    env: { ...process.env, DATABASE_URL: url, MAIL_WORKER_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false' },
    encoding: 'utf8',
  });
  const c = JSON.parse(out.trim().split('\n').at(-1));
  return `token ${c.api_key}:${c.api_secret}`;
}

async function startProcess(argv, env, port) {
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  const ready = () =>
    fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
  while (!(await ready())) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`failed to start ${argv.join(' ')}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

/**
 * How `npm start` starts the app (package.json's start script: node's flags, then the entry), so the bench
 * measures the process a deployment runs, memory flags included.
 */
function startArgv(root) {
  const words = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))
    .scripts.start.trim()
    .split(/\s+/);
  if (words[0] !== 'node') throw new Error(`the start script must run node directly: ${words.join(' ')}`);
  return words.slice(1).map((word) => (word.startsWith('-') ? word : `${root}/${word}`));
}

const peakRssMb = (pid) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
};

function run(url, scenario, connections) {
  return new Promise((resolve, reject) => {
    let i = 0;
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        headers: scenario.auth ? { authorization: scenario.auth, 'content-type': 'application/json' } : {},
        requests: [
          {
            method: scenario.method ?? 'GET',
            setupRequest: (req) => {
              const path = typeof scenario.path === 'function' ? scenario.path(i) : scenario.path;
              i += 1;
              return { ...req, path, body: scenario.body ? JSON.stringify(scenario.body) : undefined };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('error', () => undefined);
  });
}

/** Several rounds as one: the mean rate, the median of each latency figure, the sum of non-2xx answers. */
function combine(results) {
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return {
    requests: { average: results.reduce((sum, r) => sum + r.requests.average, 0) / results.length },
    latency: { p50: median(results.map((r) => r.latency.p50)), p99: median(results.map((r) => r.latency.p99)) },
    non2xx: results.reduce((sum, r) => sum + (r.non2xx ?? 0), 0),
  };
}

/** Waits until the database has no query left running from the previous measurement. */
async function settle(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { rows } = await c.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
    );
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await c.end();
}

async function measureSize(size) {
  const url = await ensureDatabase(size);
  const admin = credentials(url, `bench-admin-${process.pid}@example.com`); // one per run, so a concurrent run's key stays valid
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const agent = (
    await db.query(
      `SELECT u.email FROM users u JOIN conversations c ON c.assigned_user_id = u.id WHERE u.email LIKE '%@agents.example.com' GROUP BY u.email ORDER BY count(*) DESC LIMIT 1`,
    )
  ).rows[0].email;
  const agentAuth = credentials(url, agent);
  const uuids = (await db.query(`SELECT uuid FROM conversations ORDER BY id LIMIT 500`)).rows.map((r) => r.uuid);
  // Replies posted by this run are removed at its end, so runs do not pile recent messages on the data
  // (message search walks the newest messages first; thousands of bench replies would skew it).
  const lastMessageId = (await db.query(`SELECT COALESCE(max(id), 0) AS id FROM conversation_messages`)).rows[0].id;
  await db.end();

  const appPort = await freePort();
  const basePort = await freePort();
  const env = {
    DATABASE_URL: url,
    DB_POOL_SIZE: args['pool-size'],
    LOG_LEVEL: 'warn',
    MAIL_WORKER_ENABLED: 'false',
    WEBHOOK_WORKER_ENABLED: 'false',
    RATE_LIMIT_ENABLED: 'false',
  };
  const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
  const app = await startProcess([...profiling, ...startArgv('.')], { ...env, HOST: '127.0.0.1' }, appPort);
  const baseline = await startProcess(['bench/baseline.mjs'], env, basePort);
  const beforePort = args.before ? await freePort() : null;
  const before = args.before ? await startProcess(startArgv(args.before), { ...env, HOST: '127.0.0.1' }, beforePort) : null;

  const scenarios = [
    { name: 'health', path: '/health' },
    { name: 'agents_me', path: '/api/v1/agents/me', auth: admin },
    { name: 'conversations_all_page1', path: '/api/v1/conversations/all?page=1', auth: admin },
    { name: 'conversations_all_page1000', path: '/api/v1/conversations/all?page=1000', auth: admin },
    { name: 'conversations_assigned', path: '/api/v1/conversations/assigned', auth: agentAuth },
    { name: 'conversation_get', path: (i) => `/api/v1/conversations/${uuids[i % uuids.length]}`, auth: admin },
    { name: 'messages_list', path: (i) => `/api/v1/conversations/${uuids[i % uuids.length]}/messages`, auth: admin },
    { name: 'search_conversations', path: '/api/v1/conversations/search?query=lovelace', auth: admin },
    { name: 'search_messages', path: '/api/v1/messages/search?query=warehouse', auth: admin, search: true },
    // A word in about one message in six, and a word in none: the two cases of the search target.
    { name: 'search_messages_common', path: '/api/v1/messages/search?query=invoice', auth: admin, search: true },
    { name: 'search_messages_absent', path: '/api/v1/messages/search?query=zeppelin', auth: admin, search: true },
    { name: 'search_contacts', path: '/api/v1/contacts/search?query=hopper', auth: admin },
    // Last, so the replies it writes do not sit in front of the searches.
    {
      name: 'messages_post',
      method: 'POST',
      path: (i) => `/api/v1/conversations/${uuids[i % uuids.length]}/messages`,
      auth: admin,
      body: { message: 'Thanks, we are looking into it.' },
    },
  ].filter((s) => (!only || only.has(s.name)) && (fullSizes.has(size) || s.search));

  const results = [];
  // Scenario group: message search p50/p95 at one connection (bench/search-latency.mjs), measured
  // before the replies scenario, whose thousands of new messages would sit in front of every search.
  let latencyDone = false;
  const latencyGroup = async () => {
    latencyDone = true;
    if (only && !only.has('search_latency')) return;
    const baselineUrl = args['app-only'] ? undefined : `http://127.0.0.1:${basePort}`;
    results.push(...(await searchLatency({ databaseUrl: url, appUrl: `http://127.0.0.1:${appPort}`, baselineUrl, auth: admin, size })));
  };
  for (const scenario of scenarios) {
    if (scenario.name === 'messages_post' && !latencyDone) await latencyGroup();
    for (const connections of connectionLevels) {
      // Rounds alternate the servers, so a burst of load from elsewhere on the machine hits all of them.
      const rounds = { a: [], b: [], old: [] };
      for (let round = 0; round < Number(args.rounds); round += 1) {
        await settle(url);
        rounds.a.push(await run(`http://127.0.0.1:${appPort}`, scenario, connections));
        await settle(url);
        rounds.b.push(args['app-only'] ? { requests: { average: 0 }, latency: {} } : await run(`http://127.0.0.1:${basePort}`, scenario, connections));
        if (before) await settle(url);
        if (before) rounds.old.push(await run(`http://127.0.0.1:${beforePort}`, scenario, connections));
      }
      const [a, b, old] = [combine(rounds.a), combine(rounds.b), before ? combine(rounds.old) : null];
      const line = {
        scenario: `${scenario.name}@c${connections}`,
        size,
        rps: Math.round(a.requests.average),
        p50_ms: a.latency.p50,
        p99_ms: a.latency.p99,
        non2xx: a.non2xx,
        baseline_rps: Math.round(b.requests.average),
        baseline_p50_ms: b.latency.p50,
        ratio: b.requests.average ? Number((a.requests.average / b.requests.average).toFixed(2)) : null,
        ...(old && {
          before_rps: Math.round(old.requests.average),
          before_p50_ms: old.latency.p50,
          before_non2xx: old.non2xx,
          before_ratio: b.requests.average ? Number((old.requests.average / b.requests.average).toFixed(2)) : null,
        }),
      };
      results.push(line);
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
  if (!latencyDone) await latencyGroup();
  const rss = fullSizes.has(size) ? peakRssMb(app.pid) : null;
  if (rss) process.stdout.write(`${JSON.stringify({ scenario: 'peak_rss', size, app_peak_rss_mb: rss, baseline_peak_rss_mb: peakRssMb(baseline.pid) })}\n`);
  app.kill('SIGTERM');
  baseline.kill('SIGTERM');
  before?.kill('SIGTERM');
  const cleanup = new pg.Client({ connectionString: url });
  await cleanup.connect();
  await cleanup.query(`DELETE FROM conversation_messages WHERE id > $1`, [lastMessageId]);
  await cleanup.query(`VACUUM ANALYZE conversation_messages`);
  await cleanup.end();
  return { size, results, rss };
}

if (!args['skip-build']) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const all = [];
for (const size of sizes) all.push(await measureSize(size));

const get = (r, name) => r.results.find((x) => x.scenario === name);
for (const r of all) {
  const c16 = (n) => get(r, `${n}@c16`);
  log(`\n== targets at ${r.size} conversations (16 connections unless noted)`);
  for (const [n, target] of [
    ['conversation_get', 0.5],
    ['health', 0.7],
    ['agents_me', 0.7],
    ['messages_post', 0.8],
    ['search_messages_common', 0.5],
    ['search_messages_absent', 0.5],
  ]) {
    if (c16(n)) log(`  ${n}: ${c16(n).ratio}x baseline (target >= ${target})`);
  }
  for (const n of ['search_messages_common', 'search_messages_absent']) {
    const x = get(r, `${n}@c1`);
    if (x) log(`  ${n} p50 at 1 connection: ${x.p50_ms} ms over ${r.size * perConversation} messages (target < 20 at 5M)`);
  }
  const post = get(r, 'messages_post@c64') ?? c16('messages_post');
  if (post) log(`  replies accepted per second: ${post.rps}`);
  if (r.rss) log(`  peak RSS: ${r.rss} MB (target < 250)`);
}
const full = all.filter((r) => fullSizes.has(r.size));
if (full.length > 1) {
  const [small, large] = [full[0], full.at(-1)];
  log(`\n== growth ${small.size} -> ${large.size} conversations (p50 at 1 connection)`);
  for (const x of small.results.filter((s) => s.scenario.endsWith('@c1'))) {
    const y = get(large, x.scenario);
    if (y) log(`  ${x.scenario.replace('@c1', '')}: ${x.p50_ms} ms -> ${y.p50_ms} ms (${(y.p50_ms / Math.max(x.p50_ms, 1)).toFixed(2)}x)`);
  }
}
process.exit(0);
