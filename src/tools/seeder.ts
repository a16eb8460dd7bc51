import type { DataSource, QueryRunner } from 'typeorm';
import { DOMAINS, FIRST_NAMES, LAST_NAMES, SENTENCES, SUBJECTS, TAG_NAMES, TEAM_NAMES } from './seed-data.js';

export interface SeedOptions {
  conversations: number;
  messagesPerConversation: number;
  contacts: number;
  agents: number;
  teams: number;
  seed: number;
  force: boolean;
  batchSize?: number;
  /** Database sessions loading and indexing in parallel (1 on PGlite). */
  jobs?: number;
}

export interface SeedProgress {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
  log(line: string): void;
}

export class SeedRefused extends Error {}

/** QueryRunner.query answers `any`; the seeder states each result's shape here. */
const select = <T>(q: QueryRunner, sql: string, params?: unknown[]): Promise<T[]> => q.query(sql, params) as Promise<T[]>;

const BULK_TABLES = ['conversations', 'conversation_messages', 'users', 'conversation_tags', 'conversation_participants'];

/**
 * Fills the database with deterministic, realistic data, generated inside PostgreSQL with
 * `INSERT ... SELECT FROM generate_series` so no rows cross the wire. Every value is a pure function of
 * (seed, row index) through `hashtextextended`, so two runs with the same seed produce the same names,
 * subjects, texts, uuids and assignments. Secondary indexes of the bulk tables are dropped during the
 * load and rebuilt once at the end, which is much faster than maintaining them row by row.
 */
export class Seeder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly progress: SeedProgress,
  ) {}

  async run(o: SeedOptions): Promise<{ conversations: number; messages: number; seconds: number }> {
    const started = Date.now();
    const runners: QueryRunner[] = [];
    const open = async () => {
      const r = this.dataSource.createQueryRunner();
      runners.push(r);
      await r.connect();
      await this.prepareSession(r, o.seed);
      return r;
    };
    try {
      const q = await open();
      await this.refuseRealData(q, o.force);
      const teamIds = await this.seedTeams(q, o);
      const agentIds = await this.seedAgents(q, o, teamIds);
      const tagIds = await this.seedTags(q);
      // More sessions load (and later index) in parallel; PGlite has one connection, so jobs is 1 there.
      for (let j = 1; j < Math.max(1, o.jobs ?? 1); j += 1) await open();
      const dropped = await this.dropIndexesAndConstraints(q);
      let phase = Date.now();
      try {
        const contactBase = await this.seedContacts(q, o);
        await this.seedConversations(runners, o, { contactBase, agentIds, teamIds, tagIds });
        this.progress.log(`loaded in ${seconds(phase)} s`);
      } finally {
        phase = Date.now();
        await this.rebuild(runners, dropped);
        this.progress.log(`indexes and constraints rebuilt in ${seconds(phase)} s`);
      }
      phase = Date.now();
      this.progress.log('vacuuming and analyzing tables');
      await inParallel(runners, BULK_TABLES, (r, table) => r.query(`VACUUM ANALYZE ${table}`));
      this.progress.log(`vacuumed and analyzed in ${seconds(phase)} s`);
      return { conversations: o.conversations, messages: o.conversations * o.messagesPerConversation, seconds: (Date.now() - started) / 1000 };
    } finally {
      for (const r of runners) await r.release();
    }
  }

  /** Per-session settings for a bulk load, and the generator functions (temporary: this session only). */
  private async prepareSession(q: QueryRunner, seed: number): Promise<void> {
    for (const setting of [`maintenance_work_mem = '512MB'`, `max_parallel_maintenance_workers = 2`, `synchronous_commit = off`]) {
      await q.query(`SET ${setting}`).catch(() => undefined);
    }
    await this.createFunctions(q, seed);
  }

  private async refuseRealData(q: QueryRunner, force: boolean): Promise<void> {
    const [{ conversations, contacts }] = await select<{ conversations: number; contacts: number }>(
      q,
      `SELECT (SELECT count(*)::int FROM conversations) AS conversations,
              (SELECT count(*)::int FROM users WHERE type IN ('contact', 'visitor')) AS contacts`,
    );
    if ((conversations > 0 || contacts > 0) && !force) {
      throw new SeedRefused(
        `The database already holds ${conversations} conversations and ${contacts} contacts. Refusing to seed; pass --force to add seed data anyway.`,
      );
    }
  }

  private async createFunctions(q: QueryRunner, seed: number): Promise<void> {
    // Temporary functions live in this session only; the query runner keeps one connection throughout.
    await q.query(`
      CREATE OR REPLACE FUNCTION pg_temp.rnd(tag text, i bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
        AS $$ SELECT abs(hashtextextended(tag || ':' || i, ${seed})) $$;
      CREATE OR REPLACE FUNCTION pg_temp.pick(arr text[], tag text, i bigint) RETURNS text LANGUAGE sql IMMUTABLE
        AS $$ SELECT arr[1 + (pg_temp.rnd(tag, i) % array_length(arr, 1))::int] $$;
    `);
  }

  private async seedTeams(q: QueryRunner, o: SeedOptions): Promise<number[]> {
    const rows = await select<{ id: number }>(
      q,
      `INSERT INTO teams (name, emoji, conversation_assignment_type, timezone)
       SELECT ($1::text[])[1 + (t - 1) % array_length($1::text[], 1)]
              || CASE WHEN t > array_length($1::text[], 1) THEN ' ' || t ELSE '' END || ' (seed ' || $3 || ')',
              NULL, CASE WHEN t % 2 = 0 THEN 'Round robin' ELSE 'Manual' END, 'UTC'
         FROM generate_series(1, $2::int) t
       ON CONFLICT (name) DO UPDATE SET updated_at = now()
       RETURNING id`,
      [TEAM_NAMES, o.teams, o.seed],
    );
    return rows.map((r) => r.id);
  }

  private async seedAgents(q: QueryRunner, o: SeedOptions, teamIds: number[]): Promise<number[]> {
    await q.query(
      `INSERT INTO users (type, email, first_name, last_name, availability_status)
       SELECT 'agent',
              lower(regexp_replace(pg_temp.pick($1, 'afn', a) || '.' || pg_temp.pick($2, 'aln', a), '[^a-zA-Z.]', '', 'g')) || '.' || a
                || '.s' || $4 || '@agents.example.com',
              pg_temp.pick($1, 'afn', a), pg_temp.pick($2, 'aln', a),
              (ARRAY['online', 'away', 'offline'])[1 + (pg_temp.rnd('aav', a) % 3)::int]
         FROM generate_series(1, $3::int) a
       ON CONFLICT DO NOTHING`,
      [FIRST_NAMES, LAST_NAMES, o.agents, o.seed],
    );
    // A re-run with --force and the same seed reuses the agents it created before.
    const rows = await select<{ id: number }>(q, `SELECT id FROM users WHERE type = 'agent' AND deleted_at IS NULL AND email LIKE $1 ORDER BY id LIMIT $2`, [
      `%.s${o.seed}@agents.example.com`,
      o.agents,
    ]);
    const ids = rows.map((r) => r.id);
    await q.query(`INSERT INTO user_roles (user_id, role_id) SELECT unnest($1::int[]), (SELECT id FROM roles WHERE name = 'Agent') ON CONFLICT DO NOTHING`, [
      ids,
    ]);
    if (teamIds.length) {
      await q.query(
        `INSERT INTO team_members (team_id, user_id)
         SELECT ($2::int[])[1 + (pg_temp.rnd('atm', u) % array_length($2::int[], 1))::int], u FROM unnest($1::int[]) u
         ON CONFLICT DO NOTHING`,
        [ids, teamIds],
      );
    }
    return ids;
  }

  private async seedTags(q: QueryRunner): Promise<number[]> {
    const rows = await select<{ id: number }>(
      q,
      `INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (lower(name)) DO UPDATE SET updated_at = now() RETURNING id`,
      [TAG_NAMES],
    );
    return rows.map((r) => r.id);
  }

  private async seedContacts(q: QueryRunner, o: SeedOptions): Promise<number> {
    const [{ base }] = await select<{ base: number }>(q, `SELECT COALESCE(max(id), 0)::int AS base FROM users`);
    const batch = 50_000;
    this.progress.start(o.contacts, 'contacts');
    for (let lo = 1; lo <= o.contacts; lo += batch) {
      const hi = Math.min(o.contacts, lo + batch - 1);
      await q.query(
        `INSERT INTO users (id, type, email, first_name, last_name, phone_number, phone_number_country_code, created_at, updated_at)
         SELECT $1::int + c, 'contact',
                lower(regexp_replace(pg_temp.pick($2, 'cfn', c) || '.' || pg_temp.pick($3, 'cln', c), '[^a-zA-Z.]', '', 'g'))
                  || '.' || ($1::int + c) || '@' || pg_temp.pick($4, 'cdm', c),
                pg_temp.pick($2, 'cfn', c), pg_temp.pick($3, 'cln', c),
                CASE WHEN pg_temp.rnd('cph', c) % 3 = 0 THEN NULL ELSE lpad((pg_temp.rnd('cpn', c) % 10000000000)::text, 10, '0') END,
                CASE WHEN pg_temp.rnd('cph', c) % 3 = 0 THEN NULL ELSE '+' || (1 + pg_temp.rnd('cpc', c) % 90) END,
                now() - make_interval(mins => (pg_temp.rnd('cca', c) % 525600)::int),
                now() - make_interval(mins => (pg_temp.rnd('cca', c) % 525600)::int)
           FROM generate_series($5::int, $6::int) c`,
        [base, FIRST_NAMES, LAST_NAMES, DOMAINS, lo, hi],
      );
      this.progress.update(hi);
    }
    this.progress.stop();
    await q.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))`);
    return base;
  }

  private async seedConversations(
    runners: QueryRunner[],
    o: SeedOptions,
    ctx: { contactBase: number; agentIds: number[]; teamIds: number[]; tagIds: number[] },
  ): Promise<void> {
    const q = runners[0];
    const statuses = await select<{ id: number; name: string }>(q, `SELECT id, name FROM conversation_statuses`);
    const priorities = await select<{ id: number; name: string }>(q, `SELECT id, name FROM conversation_priorities ORDER BY id`);
    const status = (name: string) => statuses.find((s) => s.name === name)!.id;
    const [{ convBase }] = await select<{ convBase: number }>(q, `SELECT COALESCE(max(id), 0)::int AS "convBase" FROM conversations`);
    const [{ msgBase }] = await select<{ msgBase: string }>(q, `SELECT COALESCE(max(id), 0)::bigint AS "msgBase" FROM conversation_messages`);
    const M = o.messagesPerConversation;
    // One clock for every batch and statement: a conversation and its messages are written by different
    // statements (and sessions), whose now() differ, and last_message_at must equal its last message's time.
    const epoch = new Date().toISOString();
    const batch = o.batchSize ?? Math.max(1000, Math.floor(100_000 / Math.max(1, M)));
    // One row per conversation index i: every column is a pure function of i, so messages can recompute
    // the contact, assignee and timestamps without a join.
    const convExpr = `
      SELECT i,
             $1::int + i AS id,
             md5('conv:' || $9 || ':' || ($1::int + i))::uuid AS uuid,
             ${ctx.contactBase} + 1 + (pg_temp.rnd('cct', i) % $2)::int AS contact_id,
             CASE WHEN pg_temp.rnd('cau', i) % 100 < 65 AND cardinality($3::int[]) > 0
                  THEN ($3::int[])[1 + (pg_temp.rnd('caa', i) % greatest(cardinality($3::int[]), 1))::int] END AS assigned_user_id,
             CASE WHEN pg_temp.rnd('cat', i) % 100 < 50 AND cardinality($4::int[]) > 0
                  THEN ($4::int[])[1 + (pg_temp.rnd('cta', i) % greatest(cardinality($4::int[]), 1))::int] END AS assigned_team_id,
             pg_temp.rnd('cst', i) % 100 AS st,
             ($5::int[])[1 + (pg_temp.rnd('cpr', i) % 4)::int] AS priority_id,
             '${epoch}'::timestamptz - make_interval(mins => (pg_temp.rnd('ccr', i) % 525600)::int + ${M} * 23) AS created_at,
             pg_temp.pick($6, 'csu', i) || CASE WHEN pg_temp.rnd('csn', i) % 2 = 0 THEN ' #' || (10000 + pg_temp.rnd('cso', i) % 90000) ELSE '' END AS subject
        FROM generate_series($7::int, $8::int) i`;
    const msgKind = `CASE WHEN k = 0 THEN 'in' WHEN k % 6 = 5 THEN 'act' WHEN k % 5 = 3 THEN 'note' WHEN k % 2 = 1 THEN 'out' ELSE 'in' END`;
    const bodyExpr = `pg_temp.pick($10, 'm1', i * ${M} + k) || ' ' || pg_temp.pick($10, 'm2', i * ${M} + k) || ' '
                      || pg_temp.pick($10, 'm3', i * ${M} + k)
                      || CASE WHEN pg_temp.rnd('m4', i * ${M} + k) % 2 = 0 THEN ' ' || pg_temp.pick($10, 'm5', i * ${M} + k) ELSE '' END`;
    const statusIds = [status('Open'), status('Snoozed'), status('Resolved'), status('Closed')];
    const priorityIds = [null, ...priorities.map((p) => p.id)].slice(0, 4);
    this.progress.start(o.conversations, `conversations (+${M} messages each)`);
    const ranges: Array<[number, number]> = [];
    for (let lo = 1; lo <= o.conversations; lo += batch) ranges.push([lo, Math.min(o.conversations, lo + batch - 1)]);
    let loaded = 0;
    // Batches are independent (every value is a function of the row index), so the sessions share them out.
    await inParallel(runners, ranges, async (q, [lo, hi]) => {
      const params = [convBase, o.contacts, ctx.agentIds, ctx.teamIds, priorityIds, SUBJECTS, lo, hi, o.seed, SENTENCES];
      await q.query(
        `WITH c AS (${convExpr}), last AS (SELECT c.*, ${M} - 1 AS k FROM c)
         INSERT INTO conversations (id, uuid, created_at, updated_at, contact_id, assigned_user_id, assigned_team_id, inbox_id,
                                    status_id, priority_id, subject, last_message, last_message_at, last_message_sender,
                                    last_interaction, last_interaction_at, last_interaction_sender, resolved_at, closed_at,
                                    snoozed_until, waiting_since, first_reply_at, last_reply_at)
         SELECT id, uuid, created_at, created_at + make_interval(mins => k * 23), contact_id, assigned_user_id, assigned_team_id,
                (SELECT min(id) FROM inboxes WHERE deleted_at IS NULL),
                CASE WHEN st < 50 THEN ${statusIds[0]} WHEN st < 55 THEN ${statusIds[1]} WHEN st < 85 THEN ${statusIds[2]} ELSE ${statusIds[3]} END,
                priority_id, subject,
                left(b.body, 200), created_at + make_interval(mins => k * 23),
                CASE WHEN ${msgKind} = 'in' THEN 'contact' ELSE 'agent' END,
                left(b.body, 200), created_at + make_interval(mins => k * 23),
                CASE WHEN ${msgKind} = 'in' THEN 'contact' ELSE 'agent' END,
                CASE WHEN st >= 55 THEN created_at + make_interval(mins => k * 23 + 5) END,
                CASE WHEN st >= 85 THEN created_at + make_interval(mins => k * 23 + 5) END,
                CASE WHEN st >= 50 AND st < 55 THEN now() + interval '1 day' END,
                CASE WHEN st < 50 AND ${msgKind} = 'in' THEN created_at + make_interval(mins => k * 23) END,
                CASE WHEN k >= 1 THEN created_at + interval '23 minutes' END,
                CASE WHEN k >= 1 THEN created_at + make_interval(mins => k * 23) END
           FROM last CROSS JOIN LATERAL (SELECT ${bodyExpr} AS body) b`,
        params,
      );
      await q.query(
        `WITH c AS (${convExpr}), m AS (SELECT c.*, k, ${msgKind} AS kind FROM c CROSS JOIN generate_series(0, ${M} - 1) k)
         INSERT INTO conversation_messages (id, uuid, created_at, updated_at, type, status, private, conversation_id, content_type,
                                            content, text_content, sender_id, sender_type, meta)
         SELECT ${msgBase}::bigint + (i - 1) * ${M} + k + 1,
                md5('msg:' || $9 || ':' || id || ':' || k)::uuid,
                created_at + make_interval(mins => k * 23), created_at + make_interval(mins => k * 23),
                CASE kind WHEN 'in' THEN 'incoming' WHEN 'act' THEN 'activity' ELSE 'outgoing' END,
                CASE kind WHEN 'in' THEN 'received' ELSE 'sent' END,
                kind IN ('note', 'act'), id, CASE WHEN kind = 'act' THEN 'text' ELSE 'html' END,
                CASE WHEN kind = 'act' THEN 'Status changed' ELSE '<p>' || b.body || '</p>' END,
                CASE WHEN kind = 'act' THEN 'Status changed' ELSE b.body END,
                CASE WHEN kind = 'in' THEN contact_id ELSE COALESCE(assigned_user_id, ($3::int[])[1]) END,
                CASE WHEN kind = 'in' THEN 'contact' ELSE 'agent' END,
                CASE WHEN kind = 'act' THEN '{"activity_type": "status_change"}'::jsonb ELSE '{}'::jsonb END
           FROM m CROSS JOIN LATERAL (SELECT ${bodyExpr} AS body) b`,
        params,
      );
      await q.query(
        `WITH c AS (${convExpr})
         INSERT INTO conversation_participants (conversation_id, user_id)
         SELECT id, contact_id FROM c
         UNION SELECT id, assigned_user_id FROM c WHERE assigned_user_id IS NOT NULL
         ON CONFLICT DO NOTHING`,
        params.slice(0, 9),
      );
      if (ctx.tagIds.length) {
        await q.query(
          `INSERT INTO conversation_tags (conversation_id, tag_id)
           SELECT DISTINCT $1::int + i, ($2::int[])[1 + (pg_temp.rnd('tg' || n, i) % cardinality($2::int[]))::int]
             FROM generate_series($3::int, $4::int) i, generate_series(1, 2) n
            WHERE pg_temp.rnd('tgn' || n, i) % 100 < CASE n WHEN 1 THEN 30 ELSE 10 END
           ON CONFLICT DO NOTHING`,
          [convBase, ctx.tagIds, lo, hi],
        );
      }
      loaded += hi - lo + 1;
      this.progress.update(loaded);
    });
    this.progress.stop();
    await q.query(`SELECT setval(pg_get_serial_sequence('conversations', 'id'), (SELECT max(id) FROM conversations))`);
    await q.query(`SELECT setval(pg_get_serial_sequence('conversation_messages', 'id'), (SELECT max(id) FROM conversation_messages))`);
  }

  /**
   * Everything that slows a bulk insert down on the loaded tables, read from the catalog (so an index a
   * later migration adds is handled too): foreign keys from or to them (a trigger per inserted row),
   * their primary keys and unique constraints, and their other indexes. `users` keeps its indexes: the
   * agents are upserted against them, and the contacts are few.
   */
  private async dropIndexesAndConstraints(q: QueryRunner): Promise<Dropped> {
    const loaded = BULK_TABLES.filter((t) => t !== 'users');
    const constraints = await select<{ name: string; tbl: string; type: 'p' | 'u' | 'f'; def: string; index: string | null }>(
      q,
      `SELECT c.conname AS name, c.conrelid::regclass::text AS tbl, c.contype AS type, pg_get_constraintdef(c.oid) AS def,
              CASE WHEN c.contype IN ('p', 'u') THEN pg_get_indexdef(c.conindid) END AS index
         FROM pg_constraint c
        WHERE c.connamespace = current_schema()::regnamespace
          AND ((c.contype IN ('p', 'u', 'f') AND c.conrelid = ANY($1::text[]::regclass[]))
               OR (c.contype = 'f' AND c.confrelid = ANY($1::text[]::regclass[])))
        ORDER BY c.conname`,
      [loaded],
    );
    const indexes = await select<{ name: string; tbl: string; def: string }>(
      q,
      `SELECT i.indexname AS name, i.tablename AS tbl, i.indexdef AS def
         FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
        ORDER BY i.indexname`,
      [loaded],
    );
    const foreign = constraints.filter((c) => c.type === 'f');
    const keys = constraints.filter((c) => c.type !== 'f');
    for (const c of [...foreign, ...keys]) await q.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${quoteIdent(c.name)}`);
    for (const i of indexes) await q.query(`DROP INDEX IF EXISTS ${quoteIdent(i.name)}`);
    // A key's index is built like the others (CREATE INDEX takes a lock that lets other builds on the table
    // run at the same time; ADD CONSTRAINT would lock them out) and attached afterwards, which is instant.
    // A deferrable key is added as it was defined.
    const attachable = (c: { def: string; index: string | null }) =>
      c.index !== null && !/DEFERRABLE/i.test(c.def) && /^(PRIMARY KEY|UNIQUE) \([^)]*\)$/.test(c.def);
    const addConstraint = (c: { tbl: string; name: string; def: string }) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`;
    return {
      // Built in parallel, the largest table first and its GIN indexes (the slowest builds) before the rest.
      build: [
        ...keys.filter(attachable).map((c) => ({ tbl: c.tbl, sql: c.index!, gin: false })),
        ...indexes.map((i) => ({ tbl: i.tbl, sql: i.def, gin: / USING gin /i.test(i.def) })),
      ].sort((a, b) => buildRank(b) - buildRank(a)),
      // Then one at a time: keys attached to their indexes (or added whole), and the foreign keys, each validated with one join.
      after: [
        ...keys.map((c) =>
          attachable(c)
            ? `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def.split(' (')[0]} USING INDEX ${quoteIdent(c.name)}`
            : addConstraint(c),
        ),
        ...foreign.map(addConstraint),
      ],
    };
  }

  private async rebuild(runners: QueryRunner[], dropped: Dropped): Promise<void> {
    this.progress.start(dropped.build.length + dropped.after.length, 'rebuilding indexes and constraints');
    let done = 0;
    await inParallel(runners, dropped.build, async (r, item) => {
      await r.query(item.sql);
      this.progress.update(++done);
    });
    for (const sql of dropped.after) {
      await runners[0].query(sql);
      this.progress.update(++done);
    }
    this.progress.stop();
  }
}

interface Dropped {
  build: Array<{ tbl: string; sql: string; gin: boolean }>;
  after: string[];
}

const TABLE_RANK: Record<string, number> = { conversation_messages: 4, conversations: 3, conversation_participants: 2, conversation_tags: 1 };
const buildRank = (item: { tbl: string; gin: boolean }) => (TABLE_RANK[item.tbl.replace(/^.*\./, '').replace(/"/g, '')] ?? 0) * 2 + (item.gin ? 1 : 0);

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** Runs work over the items on every runner at once (each runner one item at a time); the first error is thrown after all stop. */
async function inParallel<T>(runners: QueryRunner[], items: readonly T[], work: (runner: QueryRunner, item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const results = await Promise.allSettled(
    runners.map(async (runner) => {
      while (!failed && next < items.length) {
        const item = items[next++];
        try {
          await work(runner, item);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    }),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
