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
      const plan = await this.plan(q, o, { agentIds, teamIds, tagIds });
      const dropped = await this.dropIndexesAndConstraints(q);
      const trigger = await this.disableSearchTrigger(q);
      const timings: string[] = [];
      try {
        await this.execute(runners, this.tasks(o, plan, dropped), timings);
        await q.query(`SELECT setval(pg_get_serial_sequence('conversations', 'id'), (SELECT max(id) FROM conversations))`);
        await q.query(`SELECT setval(pg_get_serial_sequence('conversation_messages', 'id'), (SELECT max(id) FROM conversation_messages))`);
      } finally {
        await trigger.enable();
        for (const line of timings) this.progress.log(line);
      }
      return { conversations: o.conversations, messages: o.conversations * o.messagesPerConversation, seconds: (Date.now() - started) / 1000 };
    } finally {
      for (const r of runners) await r.release();
    }
  }

  /**
   * The work as tasks with dependencies, in the order the sessions take them. The messages load first (on
   * every session), so that the trigram index of conversation_messages, the longest build (PostgreSQL 15
   * builds a GIN index on one core), starts as early as possible on one session while the others load
   * contacts, conversations, participants and tags and build every other index. Keys and foreign keys
   * follow their tables' builds, one statement at a time (two ADD FOREIGN KEY on different sessions could
   * deadlock); those not touching conversation_messages do not wait for its trigram index.
   */
  private tasks(o: SeedOptions, plan: LoadPlan, dropped: Dropped): Task[] {
    const tasks: Task[] = [];
    const M = o.messagesPerConversation;
    for (const [lo, hi] of plan.ranges) {
      tasks.push({
        name: `messages ${lo}`,
        group: 'load:conversation_messages',
        weight: (hi - lo + 1) * M,
        deps: [],
        run: (r) => this.loadMessages(r, plan, lo, hi),
      });
    }
    // The builds of a table wait for its load: the GIN indexes of conversation_messages first.
    const builds = dropped.build.map((b) => ({ ...b, table: bareTable(b.tbl) }));
    for (const b of builds.filter((b) => b.table === 'conversation_messages')) {
      tasks.push({ name: indexName(b.sql), group: `build:${b.table}`, weight: 0, deps: [`load:${b.table}`], run: (r) => build(r, b) });
    }
    tasks.push({ name: 'contacts', group: 'load:users', weight: o.contacts, deps: [], run: (r) => this.seedContacts(r, o, plan) });
    for (const [lo, hi] of plan.ranges) {
      tasks.push({
        name: `conversations ${lo}`,
        group: 'load:conversations',
        weight: hi - lo + 1,
        deps: ['load:users'],
        run: (r) => this.loadConversations(r, plan, lo, hi),
      });
    }
    for (const b of builds.filter((b) => b.table !== 'conversation_messages')) {
      const load = b.table === 'conversations' || b.table.startsWith('conversation_') ? 'load:conversations' : `load:${b.table}`;
      tasks.push({ name: indexName(b.sql), group: `build:${b.table}`, weight: 0, deps: [load], run: (r) => build(r, b) });
    }
    const touchesMessages = (sql: string) => /\bconversation_messages\b/.test(sql);
    const otherTables = [...new Set(builds.map((b) => b.table))].filter((t) => t !== 'conversation_messages');
    // Every statement is tried, so the schema is restored as far as possible even after a failed load (a
    // foreign key that the partial data breaks is then added NOT VALID); the first error is thrown.
    const sequence = (statements: string[]) => async (r: QueryRunner) => {
      let first: Error | undefined;
      for (const sql of statements) {
        try {
          await r.query(sql);
        } catch (err) {
          first ??= err as Error;
          if (/ FOREIGN KEY /.test(sql)) await r.query(`${sql} NOT VALID`).catch(() => undefined);
        }
      }
      if (first !== undefined) throw first;
    };
    tasks.push({
      name: 'keys and foreign keys',
      group: 'keys:others',
      weight: 0,
      deps: ['load:conversations', 'load:users', ...otherTables.map((t) => `build:${t}`)],
      run: sequence(dropped.after.filter((sql) => !touchesMessages(sql))),
    });
    tasks.push({
      name: 'keys and foreign keys of conversation_messages',
      group: 'keys:conversation_messages',
      weight: 0,
      deps: ['keys:others', 'build:conversation_messages'],
      run: sequence(dropped.after.filter(touchesMessages)),
    });
    for (const table of BULK_TABLES) {
      const keys = table === 'conversation_messages' ? 'keys:conversation_messages' : 'keys:others';
      tasks.push({ name: `vacuum ${table}`, group: 'vacuum', weight: 0, deps: [keys, `build:${table}`], run: (r) => r.query(`VACUUM ANALYZE ${table}`) });
    }
    return tasks;
  }

  /**
   * Runs the tasks on every session: each free session takes the first task whose dependencies (groups)
   * are all finished. A progress bar follows the messages load, a second one the rest.
   */
  private async execute(runners: QueryRunner[], tasks: Task[], timings: string[]): Promise<void> {
    const pending = new Map<string, number>();
    for (const t of tasks) pending.set(t.group, (pending.get(t.group) ?? 0) + 1);
    const ready = (t: Task) => t.deps.every((d) => !pending.get(d));
    const queue = [...tasks];
    let failed: Error | undefined;
    let wake: () => void = () => undefined;
    let changed = new Promise<void>((resolve) => (wake = resolve));
    const messagesTotal = tasks.filter((t) => t.group === 'load:conversation_messages').reduce((n, t) => n + t.weight, 0);
    let messagesDone = 0;
    let restDone = 0;
    const restTotal = tasks.filter((t) => t.group !== 'load:conversation_messages').length;
    const started = Date.now();
    this.progress.start(messagesTotal, 'messages');
    let phase: 'messages' | 'rest' = 'messages';
    const finish = (t: Task, since: number) => {
      pending.set(t.group, pending.get(t.group)! - 1);
      if (t.group === 'load:conversation_messages') {
        messagesDone += t.weight;
        if (phase === 'messages') this.progress.update(messagesDone);
        if (!pending.get(t.group)) {
          this.progress.stop();
          phase = 'rest';
          this.progress.start(restTotal, 'conversations, indexes and keys');
          this.progress.update(restDone);
        }
      } else {
        restDone += 1;
        if (phase === 'rest') this.progress.update(restDone);
        if (!t.group.startsWith('load:')) timings.push(`${t.name}: ${seconds(since)} s, done at ${seconds(started)} s`);
      }
      if (t.group.startsWith('load:') && !pending.get(t.group)) timings.push(`${t.group.slice(5)} loaded at ${seconds(started)} s`);
      wake();
      changed = new Promise<void>((resolve) => (wake = resolve));
    };
    await Promise.all(
      runners.map(async (runner) => {
        while (queue.length > 0) {
          const index = queue.findIndex(ready);
          if (index < 0) {
            await changed;
            continue;
          }
          const [task] = queue.splice(index, 1);
          const since = Date.now();
          // After a failure the remaining loads are skipped, but the indexes and keys are still rebuilt.
          if (failed === undefined || !task.group.startsWith('load:')) {
            try {
              await task.run(runner);
            } catch (err) {
              failed ??= err as Error;
            }
          }
          finish(task, since);
        }
      }),
    );
    this.progress.stop();
    if (failed !== undefined) throw failed;
  }

  /** Per-session settings for a bulk load, and the generator functions (temporary: this session only). */
  private async prepareSession(q: QueryRunner, seed: number): Promise<void> {
    for (const setting of [`maintenance_work_mem = '${SESSION_MAINTENANCE_MEMORY}'`, `max_parallel_maintenance_workers = 2`, `synchronous_commit = off`]) {
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
    // Their bodies must be immutable for PostgreSQL to inline them into the statements (`i::text`, not
    // `|| i`, whose text || anynonarray operator is only stable): a call that is not inlined runs through
    // the SQL-function executor, about 1.4 µs instead of 0.2 µs, and the load makes ~20 calls a message.
    await q.query(`
      CREATE OR REPLACE FUNCTION pg_temp.rnd(tag text, i bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
        AS $$ SELECT abs(hashtextextended(tag || ':' || i::text, ${seed})) $$;
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

  private async seedContacts(q: QueryRunner, o: SeedOptions, p: LoadPlan): Promise<void> {
    const base = p.contactBase;
    const batch = 50_000;
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
    }
    await q.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))`);
  }

  /**
   * Everything the load statements share: the id bases, the lookup ids, the batches, and the text search
   * vectors of the message sentences (see `sentenceVectors`).
   */
  private async plan(q: QueryRunner, o: SeedOptions, ctx: { agentIds: number[]; teamIds: number[]; tagIds: number[] }): Promise<LoadPlan> {
    const statuses = await select<{ id: number; name: string }>(q, `SELECT id, name FROM conversation_statuses`);
    const priorities = await select<{ id: number; name: string }>(q, `SELECT id, name FROM conversation_priorities ORDER BY id`);
    const status = (name: string) => statuses.find((s) => s.name === name)!.id;
    const [{ contactBase, convBase, msgBase }] = await select<{ contactBase: number; convBase: number; msgBase: string }>(
      q,
      `SELECT (SELECT COALESCE(max(id), 0)::int FROM users) AS "contactBase",
              (SELECT COALESCE(max(id), 0)::int FROM conversations) AS "convBase",
              (SELECT COALESCE(max(id), 0)::bigint FROM conversation_messages) AS "msgBase"`,
    );
    const M = o.messagesPerConversation;
    const batch = o.batchSize ?? Math.max(1000, Math.floor(100_000 / Math.max(1, M)));
    const ranges: Array<[number, number]> = [];
    for (let lo = 1; lo <= o.conversations; lo += batch) ranges.push([lo, Math.min(o.conversations, lo + batch - 1)]);
    return {
      o,
      ...ctx,
      contactBase,
      convBase,
      msgBase,
      ranges,
      // One clock for every batch and statement: a conversation and its messages are written by different
      // statements (and sessions), whose now() differ, and last_message_at must equal its last message's time.
      epoch: new Date().toISOString(),
      statusIds: [status('Open'), status('Snoozed'), status('Resolved'), status('Closed')],
      priorityIds: [null, ...priorities.map((p) => p.id)].slice(0, 4),
      sentenceVectors: await this.sentenceVectors(q),
    };
  }

  /**
   * A message body is three or four sentences of SENTENCES joined by a space, and its search_vector (which
   * the trigger computes for each row with to_tsvector, the costliest part of the load) is the same as the
   * concatenation of its sentences' vectors, each shifted by the words before it. `tsvector || tsvector`
   * shifts the right side by the left side's largest position, which is short of the sentence's word count
   * when it ends in stop words, so each sentence's vector carries a placeholder lexeme at its last word's
   * position, deleted once the vectors are concatenated. This is checked here for every pair of sentences;
   * if any pair differs, the load computes to_tsvector for each message instead (answers null).
   */
  private async sentenceVectors(q: QueryRunner): Promise<string[] | null> {
    const [row] = await select<{ vectors: string[]; mismatches: number }>(
      q,
      `WITH s AS (
         SELECT n, s, to_tsvector('english'::regconfig, s) AS v,
                (SELECT max(p) FROM unnest(to_tsvector('english'::regconfig, s || ' zzpadzz')) u, unnest(u.positions) p WHERE u.lexeme = 'zzpadzz') - 1 AS words,
                COALESCE((SELECT max(p) FROM unnest(to_tsvector('english'::regconfig, s)) u, unnest(u.positions) p), 0) AS last
           FROM unnest($1::text[]) WITH ORDINALITY AS t(s, n)),
       padded AS (
         SELECT n, s, CASE WHEN words > last THEN v || ('zzpadzz:' || (words - last))::tsvector ELSE v END AS v FROM s)
       SELECT array_agg(v::text ORDER BY n) AS vectors,
              (SELECT count(*)::int FROM padded a, padded b
                WHERE ts_delete(a.v || b.v, 'zzpadzz') IS DISTINCT FROM to_tsvector('english'::regconfig, a.s || ' ' || b.s)) AS mismatches
         FROM padded`,
      [SENTENCES],
    );
    return row.mismatches === 0 ? row.vectors : null;
  }

  /** Renders the statements' shared SQL: one row per conversation index i, every column a pure function of i. */
  private convExpr(p: LoadPlan): string {
    const M = p.o.messagesPerConversation;
    // $1 convBase, $2 contacts, $3 agent ids, $4 team ids, $5 priority ids, $6 subjects, $7..$8 range, $9 seed.
    return `
      SELECT i,
             $1::int + i AS id,
             md5('conv:' || $9 || ':' || ($1::int + i))::uuid AS uuid,
             ${p.contactBase} + 1 + (pg_temp.rnd('cct', i) % $2)::int AS contact_id,
             CASE WHEN pg_temp.rnd('cau', i) % 100 < 65 AND cardinality($3::int[]) > 0
                  THEN ($3::int[])[1 + (pg_temp.rnd('caa', i) % greatest(cardinality($3::int[]), 1))::int] END AS assigned_user_id,
             CASE WHEN pg_temp.rnd('cat', i) % 100 < 50 AND cardinality($4::int[]) > 0
                  THEN ($4::int[])[1 + (pg_temp.rnd('cta', i) % greatest(cardinality($4::int[]), 1))::int] END AS assigned_team_id,
             pg_temp.rnd('cst', i) % 100 AS st,
             ($5::int[])[1 + (pg_temp.rnd('cpr', i) % 4)::int] AS priority_id,
             '${p.epoch}'::timestamptz - make_interval(mins => (pg_temp.rnd('ccr', i) % 525600)::int + ${M} * 23) AS created_at,
             pg_temp.pick($6, 'csu', i) || CASE WHEN pg_temp.rnd('csn', i) % 2 = 0 THEN ' #' || (10000 + pg_temp.rnd('cso', i) % 90000) ELSE '' END AS subject
        FROM generate_series($7::int, $8::int) i`;
  }

  private convParams(p: LoadPlan, lo: number, hi: number): unknown[] {
    return [p.convBase, p.o.contacts, p.agentIds, p.teamIds, p.priorityIds, SUBJECTS, lo, hi, p.o.seed, SENTENCES];
  }

  /** The sentences (indexes into $10) of message k of conversation i: three, and a fourth for half of them. */
  private sentencesExpr(M: number): string {
    const n = `i * ${M} + k`;
    const at = (tag: string) => `1 + (pg_temp.rnd('${tag}', ${n}) % array_length($10::text[], 1))::int`;
    return `SELECT ${at('m1')} AS s1, ${at('m2')} AS s2, ${at('m3')} AS s3, CASE WHEN pg_temp.rnd('m4', ${n}) % 2 = 0 THEN ${at('m5')} END AS s4`;
  }

  private readonly bodyExpr = `($10::text[])[s.s1] || ' ' || ($10::text[])[s.s2] || ' ' || ($10::text[])[s.s3] || COALESCE(' ' || ($10::text[])[s.s4], '')`;

  private readonly msgKind = `CASE WHEN k = 0 THEN 'in' WHEN k % 6 = 5 THEN 'act' WHEN k % 5 = 3 THEN 'note' WHEN k % 2 = 1 THEN 'out' ELSE 'in' END`;

  private async loadMessages(q: QueryRunner, p: LoadPlan, lo: number, hi: number): Promise<void> {
    const M = p.o.messagesPerConversation;
    // The same vector as the (disabled) trigger's to_tsvector('english', left(text_content, 100000)).
    const vector = p.sentenceVectors
      ? `ts_delete(($11::tsvector[])[s.s1] || ($11::tsvector[])[s.s2] || ($11::tsvector[])[s.s3] || COALESCE(($11::tsvector[])[s.s4], ''::tsvector), 'zzpadzz')`
      : `to_tsvector('english'::regconfig, left(b.body, 100000))`;
    await q.query(
      `WITH c AS (${this.convExpr(p)}), m AS (SELECT c.*, k, ${this.msgKind} AS kind FROM c CROSS JOIN generate_series(0, ${M} - 1) k)
       INSERT INTO conversation_messages (id, uuid, created_at, updated_at, type, status, private, conversation_id, content_type,
                                          content, text_content, sender_id, sender_type, meta, search_vector)
       SELECT ${p.msgBase}::bigint + (i - 1) * ${M} + k + 1,
              md5('msg:' || $9 || ':' || id || ':' || k)::uuid,
              created_at + make_interval(mins => k * 23), created_at + make_interval(mins => k * 23),
              CASE kind WHEN 'in' THEN 'incoming' WHEN 'act' THEN 'activity' ELSE 'outgoing' END,
              CASE kind WHEN 'in' THEN 'received' ELSE 'sent' END,
              kind IN ('note', 'act'), id, CASE WHEN kind = 'act' THEN 'text' ELSE 'html' END,
              CASE WHEN kind = 'act' THEN 'Status changed' ELSE '<p>' || b.body || '</p>' END,
              CASE WHEN kind = 'act' THEN 'Status changed' ELSE b.body END,
              CASE WHEN kind = 'in' THEN contact_id ELSE COALESCE(assigned_user_id, ($3::int[])[1]) END,
              CASE WHEN kind = 'in' THEN 'contact' ELSE 'agent' END,
              CASE WHEN kind = 'act' THEN '{"activity_type": "status_change"}'::jsonb ELSE '{}'::jsonb END,
              CASE WHEN kind = 'act' THEN to_tsvector('english'::regconfig, 'Status changed') ELSE ${vector} END
         FROM m CROSS JOIN LATERAL (${this.sentencesExpr(M)}) s CROSS JOIN LATERAL (SELECT ${this.bodyExpr} AS body) b`,
      [...this.convParams(p, lo, hi), ...(p.sentenceVectors ? [p.sentenceVectors] : [])],
    );
  }

  private async loadConversations(q: QueryRunner, p: LoadPlan, lo: number, hi: number): Promise<void> {
    const M = p.o.messagesPerConversation;
    const msgKind = this.msgKind;
    const params = this.convParams(p, lo, hi);
    await q.query(
      `WITH c AS (${this.convExpr(p)}), last AS (SELECT c.*, ${M} - 1 AS k FROM c)
       INSERT INTO conversations (id, uuid, created_at, updated_at, contact_id, assigned_user_id, assigned_team_id, inbox_id,
                                  status_id, priority_id, subject, last_message, last_message_at, last_message_sender,
                                  last_interaction, last_interaction_at, last_interaction_sender, resolved_at, closed_at,
                                  snoozed_until, waiting_since, first_reply_at, last_reply_at)
       SELECT id, uuid, created_at, created_at + make_interval(mins => k * 23), contact_id, assigned_user_id, assigned_team_id,
              (SELECT min(id) FROM inboxes WHERE deleted_at IS NULL),
              CASE WHEN st < 50 THEN ${p.statusIds[0]} WHEN st < 55 THEN ${p.statusIds[1]} WHEN st < 85 THEN ${p.statusIds[2]} ELSE ${p.statusIds[3]} END,
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
         FROM last CROSS JOIN LATERAL (${this.sentencesExpr(M)}) s CROSS JOIN LATERAL (SELECT ${this.bodyExpr} AS body) b`,
      params,
    );
    await q.query(
      `WITH c AS (${this.convExpr(p)})
       INSERT INTO conversation_participants (conversation_id, user_id)
       SELECT id, contact_id FROM c
       UNION SELECT id, assigned_user_id FROM c WHERE assigned_user_id IS NOT NULL
       ON CONFLICT DO NOTHING`,
      params.slice(0, 9),
    );
    if (p.tagIds.length) {
      await q.query(
        `INSERT INTO conversation_tags (conversation_id, tag_id)
         SELECT DISTINCT $1::int + i, ($2::int[])[1 + (pg_temp.rnd('tg' || n, i) % cardinality($2::int[]))::int]
           FROM generate_series($3::int, $4::int) i, generate_series(1, 2) n
          WHERE pg_temp.rnd('tgn' || n, i) % 100 < CASE n WHEN 1 THEN 30 ELSE 10 END
         ON CONFLICT DO NOTHING`,
        [p.convBase, p.tagIds, lo, hi],
      );
    }
  }

  /**
   * The trigger that fills search_vector on every insert, disabled for the load (the load statement sets
   * the column itself, computed once per sentence); answers how to enable it again.
   */
  private async disableSearchTrigger(q: QueryRunner): Promise<{ enable(): Promise<void> }> {
    const [row] = await select<{ name: string }>(
      q,
      `SELECT tgname AS name FROM pg_trigger
        WHERE tgrelid = 'conversation_messages'::regclass AND tgname = 'conversation_messages_search_vector' AND tgenabled <> 'D'`,
    );
    if (!row) return { enable: () => Promise.resolve() };
    await q.query(`ALTER TABLE conversation_messages DISABLE TRIGGER ${quoteIdent(row.name)}`);
    return { enable: async () => void (await q.query(`ALTER TABLE conversation_messages ENABLE TRIGGER ${quoteIdent(row.name)}`)) };
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
}

interface Dropped {
  build: Array<{ tbl: string; sql: string; gin: boolean }>;
  after: string[];
}

/** One unit of work for a session; it starts once no task of the groups in deps is left. */
interface Task {
  name: string;
  group: string;
  /** Messages (or rows) it loads, for the progress bar. */
  weight: number;
  deps: string[];
  run(runner: QueryRunner): Promise<unknown>;
}

interface LoadPlan {
  o: SeedOptions;
  agentIds: number[];
  teamIds: number[];
  tagIds: number[];
  contactBase: number;
  convBase: number;
  msgBase: string;
  ranges: Array<[number, number]>;
  epoch: string;
  statusIds: number[];
  priorityIds: Array<number | null>;
  sentenceVectors: string[] | null;
}

const bareTable = (tbl: string) => tbl.replace(/^.*\./, '').replace(/"/g, '');
const indexName = (sql: string) => /INDEX (\S+) ON/i.exec(sql)?.[1] ?? sql.slice(0, 60);

const TABLE_RANK: Record<string, number> = { conversation_messages: 4, conversations: 3, conversation_participants: 2, conversation_tags: 1 };
/** Larger tables first; on a table, GIN indexes first, trigram ones (the slowest) before the others. */
const buildRank = (item: { tbl: string; sql: string; gin: boolean }) =>
  (TABLE_RANK[bareTable(item.tbl)] ?? 0) * 4 + (item.gin ? 1 : 0) + (item.gin && /gin_trgm_ops/.test(item.sql) ? 2 : 0);

/** maintenance_work_mem of the seeding sessions, for the B-tree builds (their sorts). */
const SESSION_MAINTENANCE_MEMORY = '512MB';

/**
 * maintenance_work_mem for a GIN build. Less is faster here: the build collects entries in memory up to
 * this size and flushes them into the index, and a small collection stays in the CPU's caches (trigram
 * index of 1M messages, backend CPU: 8MB 53 s, 128MB 58 s, 512MB 65 s, 1GB 69 s, 2GB 71 s).
 */
const GIN_MAINTENANCE_MEMORY = '8MB';

/** Builds one index; a GIN index with its own maintenance_work_mem. */
async function build(r: QueryRunner, item: { sql: string; gin: boolean }): Promise<void> {
  if (!item.gin) {
    await r.query(item.sql);
    return;
  }
  await r.query(`SET maintenance_work_mem = '${GIN_MAINTENANCE_MEMORY}'`).catch(() => undefined);
  try {
    await r.query(item.sql);
  } finally {
    await r.query(`SET maintenance_work_mem = '${SESSION_MAINTENANCE_MEMORY}'`).catch(() => undefined);
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
