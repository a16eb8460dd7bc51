// The bare baseline: node:http + pg, no framework, no validation layer, no ORM, and none of the app's
// code. It answers each benchmark request with the least SQL a hand-written server would need, written
// here, and runs every statement as a named prepared statement (planned once per connection), except
// the three searches: their best plan depends on the pattern, so they are planned for each value.
// Access is a simplified rule (read_all, assignee, team); a reply writes the message, the participant,
// the preview and the outbox entry in one statement (no events, no sanitising). So a low ratio means
// the app's SQL or framework costs more than the physical limit, not only that the framework does.
import { createHash, scrypt, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const scryptAsync = promisify(scrypt);
const sha = (s) => createHash('sha256').update(s).digest();
let statements = 0;
/** A named statement: parsed and planned once per connection. */
const sql = (text) => ({ name: `bl_${(statements += 1)}`, text });
const run = (statement, values, client = pool) => client.query({ ...statement, values });

const PING = sql(`SELECT 1`);
const PRINCIPAL = sql(`
  SELECT u.id, u.api_secret,
         EXISTS (SELECT FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                  WHERE ur.user_id = u.id AND 'conversations:read_all' = ANY (r.permissions)) AS read_all,
         ARRAY(SELECT team_id FROM team_members WHERE user_id = u.id) AS team_ids
    FROM users u WHERE u.api_key = $1 AND u.type = 'agent' AND u.enabled AND u.deleted_at IS NULL`);
const ME = sql(`
  SELECT u.id, u.created_at, u.updated_at, u.type, u.first_name, u.last_name, u.email, u.availability_status,
         u.phone_number_country_code, u.phone_number, u.avatar_url, u.enabled, u.last_active_at, u.last_login_at,
         u.custom_attributes, u.api_key, u.api_key_last_used_at, u.api_secret,
         ARRAY(SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id ORDER BY 1) AS roles,
         ARRAY(SELECT DISTINCT p FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p
                WHERE ur.user_id = u.id ORDER BY 1) AS permissions,
         (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'emoji', t.emoji) ORDER BY t.name), '[]')
            FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = u.id) AS teams
    FROM users u WHERE u.api_key = $1 AND u.type = 'agent' AND u.enabled AND u.deleted_at IS NULL`);
/** $1 read_all, $2 the agent, $3 their teams. */
const ACCESS = `($1 OR c.assigned_user_id = $2 OR c.assigned_team_id = ANY ($3::int[]))`;
const LIST_ITEM = `
  SELECT c.id, c.created_at, c.updated_at, c.uuid, c.reference_number, c.waiting_since, c.subject, c.last_message,
         c.last_message_at, c.last_message_sender, c.first_reply_at, c.last_reply_at, c.resolved_at, c.priority_id,
         c.assigned_user_id, c.assigned_team_id, c.snoozed_until, s.name AS status, p.name AS priority,
         i.name AS inbox_name, i.channel AS inbox_channel, ls.last_seen_at, ct.first_name AS contact_first_name,
         ct.last_name AS contact_last_name, ct.email AS contact_email, ct.avatar_url AS contact_avatar_url,
         (SELECT count(*)::int FROM (SELECT FROM conversation_messages um WHERE um.conversation_id = c.id
             AND um.created_at > coalesce(ls.last_seen_at, '-infinity') LIMIT 10) x) AS unread_message_count
    FROM page JOIN conversations c ON c.id = page.id
    JOIN conversation_statuses s ON s.id = c.status_id LEFT JOIN conversation_priorities p ON p.id = c.priority_id
    JOIN inboxes i ON i.id = c.inbox_id JOIN users ct ON ct.id = c.contact_id
    LEFT JOIN conversation_last_seen ls ON ls.conversation_id = c.id AND ls.user_id = $1
   ORDER BY c.last_message_at DESC, c.id DESC`;
const ALL_PAGE = sql(`WITH page AS (SELECT id FROM conversations ORDER BY last_message_at DESC, id DESC LIMIT $2 OFFSET $3) ${LIST_ITEM}`);
const ALL_COUNT = sql(`SELECT count(*)::int AS n FROM conversations`);
const ASSIGNED_PAGE = sql(
  `WITH page AS (SELECT id FROM conversations WHERE assigned_user_id = $1 ORDER BY last_message_at DESC, id DESC LIMIT $2 OFFSET $3) ${LIST_ITEM}`,
);
const ASSIGNED_COUNT = sql(`SELECT count(*)::int AS n FROM conversations WHERE assigned_user_id = $1`);
const DETAIL = sql(`
  SELECT c.*, s.name AS status, s.category AS status_category, p.name AS priority, i.name AS inbox_name,
         i.channel AS inbox_channel, i."from" AS inbox_from, ls.last_seen_at, row_to_json(ct) AS contact,
         ARRAY(SELECT t.name FROM conversation_tags ctg JOIN tags t ON t.id = ctg.tag_id WHERE ctg.conversation_id = c.id ORDER BY 1) AS tags,
         (SELECT count(*)::int FROM (SELECT FROM conversation_messages um WHERE um.conversation_id = c.id
             AND um.created_at > coalesce(ls.last_seen_at, '-infinity') LIMIT 10) x) AS unread_message_count,
         (SELECT coalesce(json_agg(pc), '[]') FROM (
            SELECT o.id, o.created_at, o.updated_at, o.uuid, o.subject, o.last_message, o.last_message_at FROM conversations o
             WHERE o.contact_id = c.contact_id AND o.id <> c.id AND ($1 OR o.assigned_user_id = $2 OR o.assigned_team_id = ANY ($3::int[]))
             ORDER BY o.created_at DESC, o.id DESC LIMIT 10) pc) AS previous_conversations
    FROM conversations c
    JOIN conversation_statuses s ON s.id = c.status_id LEFT JOIN conversation_priorities p ON p.id = c.priority_id
    JOIN inboxes i ON i.id = c.inbox_id
    JOIN (SELECT id, type, first_name, last_name, email, avatar_url, phone_number, country, custom_attributes FROM users) ct ON ct.id = c.contact_id
    LEFT JOIN conversation_last_seen ls ON ls.conversation_id = c.id AND ls.user_id = $2
   WHERE c.uuid = $4 AND ${ACCESS}`);
const CONVERSATION = sql(`SELECT c.id FROM conversations c WHERE c.uuid = $4 AND ${ACCESS}`);
const MESSAGES = sql(`
  SELECT m.id, m.created_at, m.updated_at, m.uuid, m.type, m.status, m.content, m.text_content, m.content_type,
         m.private, m.sender_id, m.sender_type, m.meta, u.first_name AS author_first_name, u.last_name AS author_last_name,
         (SELECT coalesce(json_agg(json_build_object('uuid', md.uuid, 'filename', md.filename)), '[]')
            FROM media md WHERE md.model_type = 'messages' AND md.model_id = m.id) AS attachments
    FROM conversation_messages m LEFT JOIN users u ON u.id = m.sender_id
   WHERE m.conversation_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2 OFFSET $3`);
const MESSAGES_COUNT = sql(`SELECT count(*)::int AS n FROM conversation_messages WHERE conversation_id = $1`);
const REPLY = sql(`
  WITH c AS (SELECT c.id, ct.email FROM conversations c JOIN users ct ON ct.id = c.contact_id WHERE c.uuid = $4 AND ${ACCESS}),
       m AS (INSERT INTO conversation_messages (created_at, updated_at, type, status, private, conversation_id, content_type,
                                                content, text_content, sender_id, sender_type, meta)
             SELECT clock_timestamp(), clock_timestamp(), 'outgoing', 'pending', false, c.id, 'html', $5, $6, $2, 'agent',
                    jsonb_build_object('to', jsonb_build_array(c.email))
               FROM c RETURNING *),
       participant AS (INSERT INTO conversation_participants (conversation_id, user_id) SELECT conversation_id, $2 FROM m ON CONFLICT DO NOTHING),
       preview AS (UPDATE conversations SET last_message = $6, last_message_at = m.created_at, last_message_sender = 'agent', updated_at = now()
                     FROM m WHERE conversations.id = m.conversation_id),
       outbox AS (INSERT INTO email_outbox (message_id, max_attempts) SELECT id, 5 FROM m)
  SELECT id, created_at, updated_at, uuid, type, status, content, text_content, content_type, private, sender_id, sender_type, meta FROM m`);
// Planned for each value: which index answers first depends on how common the pattern is.
const SEARCH_CONVERSATIONS = `
  SELECT c.created_at, c.uuid, c.reference_number, c.subject, s.name AS status FROM conversations c
    JOIN conversation_statuses s ON s.id = c.status_id
   WHERE c.id IN ((SELECT id FROM conversations c WHERE c.subject ILIKE $4 AND ${ACCESS} ORDER BY last_message_at DESC, id DESC LIMIT 30)
                  UNION (SELECT c.id FROM conversations c JOIN users u ON u.id = c.contact_id
                          WHERE u.email ILIKE $4 AND ${ACCESS} ORDER BY c.last_message_at DESC, c.id DESC LIMIT 30))
   ORDER BY c.last_message_at DESC, c.id DESC LIMIT 30`;
const SEARCH_MESSAGES = `
  SELECT m.created_at, left(m.text_content, 200) AS text_content, c.uuid AS conversation_uuid, c.created_at AS conversation_created_at,
         c.reference_number AS conversation_reference_number, s.name AS conversation_status
    FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id JOIN conversation_statuses s ON s.id = c.status_id
   WHERE m.type <> 'activity' AND m.text_content ILIKE $4 AND ${ACCESS} ORDER BY m.id DESC LIMIT 30`;
const SEARCH_CONTACTS = `
  SELECT u.id, u.created_at, u.first_name, u.last_name, u.email FROM users u
   WHERE u.id IN ((SELECT id FROM users WHERE type = 'contact' AND deleted_at IS NULL AND email ILIKE $1 ORDER BY created_at DESC, id DESC LIMIT 30)
                  UNION (SELECT id FROM users WHERE type = 'contact' AND deleted_at IS NULL AND email IS NOT NULL
                            AND (first_name || ' ' || last_name) ILIKE $1 ORDER BY created_at DESC, id DESC LIMIT 30))
   ORDER BY u.created_at DESC, u.id DESC LIMIT 30`;

const verified = new Map();
async function secretMatches(key, secret, stored) {
  const digest = sha(secret);
  const cached = verified.get(key);
  if (cached?.stored === stored) return timingSafeEqual(cached.digest, digest);
  const [kind, N, r, p, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash ?? '', 'base64');
  if (kind !== 'scrypt') return false;
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, { N: +N, r: +r, p: +p, maxmem: 64 << 20 });
  if (!timingSafeEqual(actual, expected)) return false;
  verified.set(key, { stored, digest });
  return true;
}

/** The agent behind `Authorization: token key:secret`, read on every request. */
async function authenticate(req, statement = PRINCIPAL) {
  const m = /^token\s+([^:]+):(.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const row = (await run(statement, [m[1]])).rows[0];
  return row?.api_secret && (await secretMatches(m[1], m[2], row.api_secret)) ? row : null;
}

const access = (p) => [p.read_all, p.id, p.team_ids];
const dates = (row) => {
  for (const [k, v] of Object.entries(row)) if (v instanceof Date) row[k] = v.toISOString();
  return row;
};
function page(url) {
  const p = Math.max(Number(url.searchParams.get('page') ?? 1), 1);
  const size = Math.min(Number(url.searchParams.get('page_size') ?? 30), 100);
  return { page: p, per_page: size, offset: (p - 1) * size };
}
async function list(statement, countStatement, viewer, countValues, url) {
  const pg_ = page(url);
  const [rows, count] = await Promise.all([run(statement, [viewer, pg_.per_page, pg_.offset]), run(countStatement, countValues)]);
  const total = count.rows[0].n;
  return { results: rows.rows.map(dates), total, per_page: pg_.per_page, total_pages: Math.ceil(total / pg_.per_page), page: pg_.page };
}

const UUID = '([0-9a-f-]{36})';
const routes = [
  ['GET', /^\/health$/, null, async () => (await run(PING, []), true)],
  ['GET', /^\/api\/v1\/agents\/me$/, ME, ({ api_secret: _secret, read_all: _all, ...me }) => dates(me)],
  ['GET', /^\/api\/v1\/conversations\/all$/, PRINCIPAL, (p, url) => list(ALL_PAGE, ALL_COUNT, p.id, [], url)],
  ['GET', /^\/api\/v1\/conversations\/assigned$/, PRINCIPAL, (p, url) => list(ASSIGNED_PAGE, ASSIGNED_COUNT, p.id, [p.id], url)],
  ...[
    ['conversations', SEARCH_CONVERSATIONS],
    ['messages', SEARCH_MESSAGES],
  ].map(([what, text]) => [
    'GET',
    new RegExp(`^/api/v1/${what}/search$`),
    PRINCIPAL,
    async (p, url) => (await pool.query(text, [...access(p), `%${url.searchParams.get('query')}%`])).rows.map(dates),
  ]),
  [
    'GET',
    /^\/api\/v1\/contacts\/search$/,
    PRINCIPAL,
    async (p, url) => (await pool.query(SEARCH_CONTACTS, [`%${url.searchParams.get('query')}%`])).rows.map(dates),
  ],
  [
    'GET',
    new RegExp(`^/api/v1/conversations/${UUID}/messages$`),
    PRINCIPAL,
    async (p, url, [uuid]) => {
      const c = (await run(CONVERSATION, [...access(p), uuid])).rows[0];
      if (!c) return null;
      const pg_ = page(url);
      const [rows, count] = await Promise.all([run(MESSAGES, [c.id, pg_.per_page, pg_.offset]), run(MESSAGES_COUNT, [c.id])]);
      const total = count.rows[0].n;
      return { results: rows.rows.map(dates), total, per_page: pg_.per_page, total_pages: Math.ceil(total / pg_.per_page), page: pg_.page };
    },
  ],
  [
    'POST',
    new RegExp(`^/api/v1/conversations/${UUID}/messages$`),
    PRINCIPAL,
    async (p, url, [uuid], body) => {
      const row = (await run(REPLY, [...access(p), uuid, `<p>${body.message}</p>`, body.message])).rows[0];
      return row ? dates(row) : null;
    },
  ],
  [
    'GET',
    new RegExp(`^/api/v1/conversations/${UUID}$`),
    PRINCIPAL,
    async (p, url, [uuid]) => {
      const row = (await run(DETAIL, [...access(p), uuid])).rows[0];
      return row ? dates(row) : null;
    },
  ],
];

const send = (res, status, body) => {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
};
const fail = (res, status, message) => send(res, status, { status: 'error', message, data: null, error_type: 'GeneralException' });

createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname));
  if (!route) return fail(res, 404, 'Route not found');
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', async () => {
    try {
      const principal = route[2] ? await authenticate(req, route[2]) : null;
      if (route[2] && !principal) return fail(res, 401, 'Invalid API key or secret');
      const data = await route[3](principal, url, route[1].exec(url.pathname).slice(1), raw ? JSON.parse(raw) : {});
      if (data === null) return fail(res, 404, 'Conversation not found');
      send(res, 200, { status: 'success', data });
    } catch (err) {
      fail(res, 500, String(err.message));
    }
  });
}).listen(Number(process.env.PORT ?? 0), '127.0.0.1', function () {
  process.stdout.write(`baseline listening on ${this.address().port}\n`);
});
