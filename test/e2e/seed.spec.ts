import { runSeed } from '../../src/tools/seed-command.js';
import { SeedRefused } from '../../src/tools/seeder.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The seed command on the test database (PGlite: one session; PostgreSQL: two in parallel). It drops the
 * loaded tables' keys, foreign keys and indexes during the load: afterwards the schema must be exactly the
 * migrated one, and the data consistent.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const SCHEMA_SQL = `
  SELECT 'index' AS kind, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema()
  UNION ALL
  SELECT 'constraint', conname, conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
  ORDER BY 1, 2, 3`;

/** Runs the command with its progress bar (stderr) silenced; answers what it printed on stdout. */
async function quietly(fn: () => Promise<void>): Promise<string> {
  const out: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await fn();
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return out.join('');
}

test('fills every table consistently and leaves the schema exactly as migrated', async () => {
  const before = await t.dataSource.query(SCHEMA_SQL);
  const out = await quietly(() =>
    runSeed(t.dataSource, { conversations: 300, messagesPerConversation: 4, contacts: 100, agents: 5, teams: 2, seed: 7, force: false, batchSize: 70 }),
  );
  expect(JSON.parse(out.trim())).toMatchObject({ conversations: 300, messages: 1200 });
  expect(await t.dataSource.query(SCHEMA_SQL)).toEqual(before);

  const [counts] = await t.dataSource.query<Array<Record<string, number>>>(`
    SELECT (SELECT count(*)::int FROM conversations) AS conversations,
           (SELECT count(*)::int FROM conversation_messages) AS messages,
           (SELECT count(*)::int FROM users WHERE type = 'contact') AS contacts,
           (SELECT count(DISTINCT uuid)::int FROM conversation_messages) AS message_uuids,
           (SELECT count(*)::int FROM conversation_messages m LEFT JOIN conversations c ON c.id = m.conversation_id WHERE c.id IS NULL) AS orphans,
           (SELECT count(*)::int FROM conversations c JOIN LATERAL (SELECT * FROM conversation_messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) m ON true
             WHERE c.last_message_at IS DISTINCT FROM m.created_at OR c.last_message IS DISTINCT FROM left(m.text_content, 200)) AS wrong_last,
           (SELECT count(DISTINCT status_id)::int FROM conversations) AS statuses,
           (SELECT count(*)::int FROM conversations WHERE assigned_user_id IS NOT NULL) AS assigned,
           (SELECT count(*)::int FROM conversation_tags) AS tags,
           (SELECT count(*)::int FROM conversation_messages
             WHERE search_vector IS DISTINCT FROM to_tsvector('english'::regconfig, left(text_content, 100000))) AS wrong_vectors,
           (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'conversation_messages'::regclass AND tgenabled = 'O'
               AND tgname = 'conversation_messages_search_vector') AS search_trigger,
           (SELECT count(*)::int FROM conversation_participants) AS participants`);
  // search_vector is set by the load (the trigger is disabled meanwhile): it must be what the trigger computes, and the trigger enabled again.
  expect(counts).toMatchObject({
    conversations: 300,
    messages: 1200,
    contacts: 100,
    message_uuids: 1200,
    orphans: 0,
    wrong_last: 0,
    statuses: 4,
    wrong_vectors: 0,
    search_trigger: 1,
  });
  expect(counts.assigned).toBeGreaterThan(120);
  expect(counts.assigned).toBeLessThan(270);
  expect(counts.tags).toBeGreaterThan(50);
  expect(counts.participants).toBeGreaterThanOrEqual(300);

  // The sequences continue after the seeded ids, so the API creates rows normally.
  const created = await t.http.post('/api/v1/contacts').set('Authorization', t.token(t.admin)).send({ email: 'after-seed@example.com', first_name: 'After' });
  expect(created.status).toBeLessThan(500);

  // A second run is refused without --force, and adds fresh, distinct rows with it (same seed).
  await expect(
    runSeed(t.dataSource, { conversations: 1, messagesPerConversation: 1, contacts: 1, agents: 1, teams: 1, seed: 7, force: false }),
  ).rejects.toBeInstanceOf(SeedRefused);
  await quietly(() => runSeed(t.dataSource, { conversations: 20, messagesPerConversation: 2, contacts: 5, agents: 5, teams: 2, seed: 7, force: true }));
  const [again] = await t.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM conversations`);
  expect(again.n).toBe(320);
  expect(await t.dataSource.query(SCHEMA_SQL)).toEqual(before);
}, 120_000);
