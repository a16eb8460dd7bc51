// The bare baseline: node:http + pg, answering the benchmark's requests with the same SQL the app
// runs (imported from the compiled app where it is exported) and no framework, no validation layer,
// no ORM. It authenticates the same way on the hot path (principal lookup + cached secret check).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { AGENT_SELECT, PRINCIPAL_SQL } from '../dist/src/modules/agents/agents.repository.js';
import { toAgent } from '../dist/src/modules/agents/agents.mapper.js';
import { verifySecret } from '../dist/src/shared/auth/api-key.js';
import { conversationAccessSql } from '../dist/src/shared/auth/conversation-access.js';
import { conversationJoins, DETAIL_COLUMNS } from '../dist/src/modules/conversations/conversation.rows.js';
import { ConversationListsRepository } from '../dist/src/modules/conversations/conversation-lists.repository.js';
import { MESSAGE_SELECT } from '../dist/src/modules/conversations/messages/message.rows.js';
import { contactSearchSql, conversationSearchSql, messageSearchSql } from '../dist/src/modules/search/search.sql.js';
import { parseSearchQuery } from '../dist/src/modules/search/search-query.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
const verified = new Map();
const sha = (s) => createHash('sha256').update(s).digest();

async function authenticate(req) {
  const m = /^token\s+([^:]+):(.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const { rows } = await pool.query(PRINCIPAL_SQL, [m[1]]);
  const row = rows[0];
  if (!row?.secretHash) return null;
  const cached = verified.get(m[1]);
  const digest = sha(m[2]);
  if (cached?.hash === row.secretHash) {
    if (!timingSafeEqual(cached.digest, digest)) return null;
  } else {
    if (!(await verifySecret(m[2], row.secretHash))) return null;
    verified.set(m[1], { hash: row.secretHash, digest });
  }
  return { id: row.id, firstName: row.firstName, lastName: row.lastName, roles: row.roles, permissions: new Set(row.permissions), teamIds: row.teamIds };
}

const iso = (d) => (d ? d.toISOString() : null);
const send = (res, status, body) => {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
};

function page(url) {
  const p = Number(url.searchParams.get('page') ?? 1);
  const size = Math.min(Number(url.searchParams.get('page_size') ?? 30), 100);
  return { page: p, pageSize: size, offset: (p - 1) * size };
}

// The app's own page query (ids chosen over the index first); the baseline counts on every request.
const lists = new ConversationListsRepository(null);

async function list(principal, filter, where, params, pg_) {
  const page = lists.pageQuery(filter, principal.id, { pageSize: pg_.pageSize, offset: pg_.offset, after: null });
  const [rows, count] = await Promise.all([
    pool.query(page.sql, page.params),
    pool.query(`SELECT count(*)::int AS n FROM conversations c WHERE ${where}`, params),
  ]);
  const results = rows.rows.map((r) => ({ ...r, created_at: iso(r.created_at), updated_at: iso(r.updated_at), last_message_at: iso(r.last_message_at) }));
  return { results, total: count.rows[0].n, per_page: pg_.pageSize, total_pages: Math.ceil(count.rows[0].n / pg_.pageSize), page: pg_.page };
}

const routes = [
  ['GET', /^\/health$/, false, async () => (await pool.query('SELECT 1'), true)],
  [
    'GET',
    /^\/api\/v1\/agents\/me$/,
    true,
    async (p) => toAgent((await pool.query(`${AGENT_SELECT} WHERE u.id = $1 AND u.type = 'agent' AND u.deleted_at IS NULL`, [p.id])).rows[0]),
  ],
  ['GET', /^\/api\/v1\/conversations\/all$/, true, (p, url) => list(p, { list: 'all' }, 'TRUE', [], page(url))],
  ['GET', /^\/api\/v1\/conversations\/assigned$/, true, (p, url) => list(p, { list: 'assigned', userId: p.id }, 'c.assigned_user_id = $1', [p.id], page(url))],
  [
    'GET',
    /^\/api\/v1\/conversations\/search$/,
    true,
    async (p, url) => {
      const q = conversationSearchSql(parseSearchQuery(url.searchParams.get('query')), p);
      return (await pool.query(q.sql, q.params)).rows.map((r) => ({ ...r, created_at: iso(r.created_at) }));
    },
  ],
  [
    'GET',
    /^\/api\/v1\/messages\/search$/,
    true,
    async (p, url) => {
      const q = messageSearchSql(parseSearchQuery(url.searchParams.get('query')), p);
      return (await pool.query(q.sql, q.params)).rows.map((r) => ({
        ...r,
        created_at: iso(r.created_at),
        conversation_created_at: iso(r.conversation_created_at),
      }));
    },
  ],
  [
    'GET',
    /^\/api\/v1\/contacts\/search$/,
    true,
    async (p, url) => {
      const q = contactSearchSql(parseSearchQuery(url.searchParams.get('query')));
      return (await pool.query(q.sql, q.params)).rows.map((r) => ({ ...r, created_at: iso(r.created_at) }));
    },
  ],
  [
    'GET',
    /^\/api\/v1\/conversations\/([0-9a-f-]{36})\/messages$/,
    true,
    async (p, url, [uuid]) => {
      const c = (await pool.query(`SELECT id, assigned_user_id, assigned_team_id FROM conversations WHERE uuid = $1`, [uuid])).rows[0];
      const pg_ = page(url);
      const [rows, count] = await Promise.all([
        pool.query(`${MESSAGE_SELECT} WHERE m.conversation_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2 OFFSET $3`, [c.id, pg_.pageSize, pg_.offset]),
        pool.query(`SELECT count(*)::int AS n FROM conversation_messages m WHERE m.conversation_id = $1`, [c.id]),
      ]);
      const ids = rows.rows.map((r) => r.id);
      await pool.query(`SELECT model_id, uuid, filename FROM media WHERE model_type = 'messages' AND model_id = ANY($1::int[]) ORDER BY filename`, [ids]);
      const results = rows.rows.map((r) => ({ ...r, created_at: iso(r.created_at), updated_at: iso(r.updated_at), attachments: [] }));
      return { results, total: count.rows[0].n, per_page: pg_.pageSize, total_pages: Math.ceil(count.rows[0].n / pg_.pageSize), page: pg_.page };
    },
  ],
  [
    'POST',
    /^\/api\/v1\/conversations\/([0-9a-f-]{36})\/messages$/,
    true,
    async (p, url, [uuid], body) => {
      const c = (await pool.query(`SELECT id FROM conversations WHERE uuid = $1`, [uuid])).rows[0];
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT id FROM conversations WHERE id = $1 FOR UPDATE`, [c.id]);
        const contact = (await client.query(`SELECT ct.email FROM conversations c JOIN users ct ON ct.id = c.contact_id WHERE c.id = $1`, [c.id])).rows[0];
        const ins = (
          await client.query(
            `INSERT INTO conversation_messages (created_at, updated_at, type, status, private, conversation_id, content_type, content, text_content, sender_id, sender_type, meta)
         VALUES (clock_timestamp(), clock_timestamp(), 'outgoing', 'pending', false, $1, 'html', $2, $3, $4, 'agent', $5) RETURNING id, uuid, created_at`,
            [c.id, `<p>${body.message}</p>`, body.message, p.id, { to: [contact.email] }],
          )
        ).rows[0];
        await client.query(`INSERT INTO conversation_participants (conversation_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [c.id, p.id]);
        await client.query(
          `UPDATE conversations SET last_message = $2, last_message_at = $3, last_message_sender = 'agent', updated_at = now() WHERE id = $1`,
          [c.id, body.message, ins.created_at],
        );
        await client.query(`INSERT INTO email_outbox (message_id) VALUES ($1)`, [ins.id]);
        await client.query('COMMIT');
        const row = (await pool.query(`${MESSAGE_SELECT} WHERE m.id = $1`, [ins.id])).rows[0];
        return { ...row, created_at: iso(row.created_at), updated_at: iso(row.updated_at), attachments: [] };
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
  ],
  [
    'GET',
    /^\/api\/v1\/conversations\/([0-9a-f-]{36})$/,
    true,
    async (p, url, [uuid]) => {
      await pool.query(
        `SELECT c.id, c.assigned_user_id, c.assigned_team_id FROM conversations c JOIN conversation_statuses s ON s.id = c.status_id WHERE c.uuid = $1`,
        [uuid],
      );
      const row = (await pool.query(`SELECT ${DETAIL_COLUMNS} ${conversationJoins('$1')} WHERE c.uuid = $2`, [p.id, uuid])).rows[0];
      const params = [row.contact_id, row.id];
      const access = conversationAccessSql(p, 'c', params);
      const previous = (
        await pool.query(
          `SELECT c.id, c.created_at, c.updated_at, c.uuid, c.subject, c.last_message, c.last_message_at FROM conversations c JOIN users ct ON ct.id = c.contact_id
        WHERE c.contact_id = $1 AND c.id <> $2 AND ${access} ORDER BY c.created_at DESC, c.id DESC LIMIT 10`,
          params,
        )
      ).rows;
      return { ...row, created_at: iso(row.created_at), updated_at: iso(row.updated_at), previous_conversations: previous };
    },
  ],
];

createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname));
  if (!route) return send(res, 404, { status: 'error', message: 'Route not found', data: null, error_type: 'NotFoundException' });
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', async () => {
    try {
      const principal = route[2] ? await authenticate(req) : null;
      if (route[2] && !principal)
        return send(res, 401, { status: 'error', message: 'Invalid API key or secret', data: null, error_type: 'UnauthorizedException' });
      const data = await route[3](principal, url, route[1].exec(url.pathname).slice(1), raw ? JSON.parse(raw) : {});
      send(res, 200, { status: 'success', data });
    } catch (err) {
      send(res, 500, { status: 'error', message: String(err.message), data: null, error_type: 'GeneralException' });
    }
  });
}).listen(Number(process.env.PORT ?? 0), '127.0.0.1', function () {
  process.stdout.write(`baseline listening on ${this.address().port}\n`);
});
