import { api, bannerToken, createDatabase, scratchDir, startServer, type Running } from '../support/process.js';

/**
 * Logs and metrics of a real server process (the compiled build): every stdout line of a JSON-format
 * server is one JSON object, each request gets one access line without secrets, a pretty-format
 * server writes readable text, and /metrics counts the traffic that was sent. PGlite by default, a
 * fresh PostgreSQL database when DATABASE_URL is set.
 */
const METRICS_TOKEN = 'scrape-token-for-tests';
const servers: Running[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
let json: Running;
let pretty: Running;
let admin: string;

async function boot(format: 'json' | 'pretty', extra: Record<string, string> = {}): Promise<Running> {
  const dir = scratchDir();
  cleanups.push(() => dir.remove());
  const env: Record<string, string> = { DATA_DIR: dir.path, LOG_FORMAT: format, LOG_LEVEL: 'log', ...extra };
  if (process.env.DATABASE_URL) {
    const db = await createDatabase(process.env.DATABASE_URL, 'libredesk_obs');
    cleanups.push(() => db.drop());
    env.DATABASE_URL = db.url;
  }
  const server = await startServer({ env, expectBanner: true, timeoutMs: 360_000 });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  [json, pretty] = await Promise.all([boot('json', { METRICS_TOKEN, AUTH_FAILURE_LIMIT_PER_MINUTE: '3' }), boot('pretty')]);
  admin = bannerToken(json.output());
}, 400_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const c of cleanups) await c();
});

const lines = (s: Running) =>
  s
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '');
const parsed = (s: Running) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);
const accessLines = (s: Running) => parsed(s).filter((l) => l.context === 'HTTP');

test('JSON logs: one object per line, an access line per request, no secret anywhere', async () => {
  const secret = /api_secret:\s+(\w+)/.exec(json.output())![1];
  const me = await api(json.url, 'GET', '/api/v1/agents/me?token=hunter2&page=1', { auth: admin, headers: { 'X-Request-Id': 'obs-me-1' } });
  expect(me.status).toBe(200);
  const created = await api(json.url, 'POST', '/api/v1/teams', {
    auth: admin,
    body: { name: 'Observers', emoji: '👀', conversation_assignment_type: 'Manual', timezone: 'UTC', max_auto_assigned_conversations: 0 },
    headers: { 'X-Request-Id': 'obs-post-1' },
  });
  expect(created.status).toBe(200);
  expect((await api(json.url, 'GET', '/no/such/route', { headers: { 'X-Request-Id': 'obs-404' } })).status).toBe(404);

  // Every line parses; the level is a name, the time ISO, the message in `msg`.
  const all = parsed(json);
  expect(all.length).toBeGreaterThan(5);
  for (const line of all) {
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    expect(typeof line.msg).toBe('string');
  }
  expect(all.find((l) => l.context === 'Bootstrap' && /^Listening on/.test(l.msg as string))).toBeDefined();
  // The first-start banner is one JSON line that still reads as text.
  const banner = all.filter((l) => /First start/.test(l.msg as string));
  expect(banner).toHaveLength(1);
  expect(banner[0].msg).toMatch(/api_key: \w+ api_secret: \w+/);

  const byId = (id: string) => accessLines(json).filter((l) => l.request_id === id);
  await vi.waitFor(() => expect(byId('obs-404')).toHaveLength(1));
  expect(byId('obs-me-1')).toEqual([
    expect.objectContaining({
      level: 'info',
      method: 'GET',
      route: '/api/v1/agents/me',
      url: '/api/v1/agents/me?token=[REDACTED]&page=1',
      status: 200,
      agent_id: (me.body as { data: { id: number } }).data.id,
      bytes: Number(me.headers.get('content-length')),
      duration_ms: expect.any(Number),
    }),
  ]);
  expect(byId('obs-post-1')).toEqual([expect.objectContaining({ method: 'POST', route: '/api/v1/teams', status: 200 })]);
  expect(byId('obs-404')).toEqual([expect.objectContaining({ route: 'unmatched', status: 404, agent_id: null })]);

  // Nothing else than the banner carries the secret; no header and no body is logged.
  const rest = lines(json).filter((l) => !/First start/.test(l));
  expect(rest.join('\n')).not.toContain(secret);
  expect(rest.join('\n')).not.toMatch(/hunter2|authorization|Observers/i);
});

test('pretty logs: readable text, the banner as a block, access lines with the route', async () => {
  expect((await api(pretty.url, 'GET', '/health', { headers: { 'X-Request-Id': 'pretty-1' } })).status).toBe(200);
  await vi.waitFor(() => expect(pretty.output()).toMatch(/\(pretty-1\) request completed/));
  const out = pretty.output();
  expect(out).toMatch(/INFO.*\[Bootstrap\] Listening on/);
  expect(out).toMatch(/={10,} First start: an admin was created ={10,}\n\s+email:\s+admin@localhost\n\s+api_key:\s+\w+\n\s+api_secret:\s+\w+/);
  expect(out).toMatch(/\[HTTP\] \(pretty-1\) request completed\n\s+method: "GET"\n\s+route: "\/health"/);
  expect(lines(pretty).some((l) => l.startsWith('{'))).toBe(false);
});

test('metrics: Prometheus text after real traffic, behind the token', async () => {
  const noToken = await api(json.url, 'GET', '/metrics');
  expect(noToken.status).toBe(401);
  expect(noToken.body).toMatchObject({ status: 'error', error_type: 'UnauthorizedException' });
  expect((await api(json.url, 'GET', '/metrics', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);

  // An idempotent replay, then failed authentications past the limit (3 per window) to get a 429.
  const team = { name: 'Replayed', emoji: '🔁', conversation_assignment_type: 'Manual', timezone: 'UTC', max_auto_assigned_conversations: 0 };
  const headers = { 'Idempotency-Key': 'obs-replay-1' };
  expect((await api(json.url, 'POST', '/api/v1/teams', { auth: admin, body: team, headers })).status).toBe(200);
  const replay = await api(json.url, 'POST', '/api/v1/teams', { auth: admin, body: team, headers });
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await api(json.url, 'GET', '/api/v1/agents/me', { auth: 'token nope:nope' })).status);
  expect(statuses).toContain(429);

  const res = await fetch(`${json.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(value('http_request_duration_seconds_count{method="GET",route="/api/v1/agents/me",status="200"}')).toBeGreaterThanOrEqual(1);
  expect(value('http_request_duration_seconds_count{method="POST",route="/api/v1/teams",status="200"}')).toBeGreaterThanOrEqual(2);
  expect(value('http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
  expect(value('libredesk_rate_limit_refusals_total')).toBe(statuses.filter((s) => s === 429).length);
  expect(value('libredesk_idempotent_replays_total')).toBe(1);
  expect(value('libredesk_db_pool_size')).toBeGreaterThanOrEqual(1);
  expect(value('libredesk_db_pool_waiting')).toBe(0);
  for (const gauge of [
    'libredesk_outbox_pending',
    'libredesk_outbox_oldest_pending_age_seconds',
    'libredesk_webhook_deliveries_pending',
    'libredesk_webhook_deliveries_failed',
    'libredesk_event_sequencer_unnumbered',
    'libredesk_event_sequencer_lag_seconds',
  ]) {
    expect(value(gauge), gauge).toBeGreaterThanOrEqual(0);
  }
  // /metrics is public without METRICS_TOKEN.
  expect((await fetch(`${pretty.url}/metrics`)).status).toBe(200);
});

test('readiness: database, migrations and workers', async () => {
  const ready = await api<{ status: string; data: { status: string; details: Record<string, { status: string }> } }>(json.url, 'GET', '/health/ready');
  expect(ready.status).toBe(200);
  expect(ready.body.data.status).toBe('ok');
  expect(Object.keys(ready.body.data.details).sort()).toEqual(['database', 'migrations', 'workers']);
  expect(ready.body.data.details.workers).toMatchObject({ MailWorker: { running: true }, WebhookWorker: { running: true }, EventSequencer: { running: true } });
});
