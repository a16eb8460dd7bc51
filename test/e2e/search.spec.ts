import type { DataSource } from 'typeorm';
import { ALL_PERMISSIONS, Permission } from '../../src/shared/auth/permissions.js';
import type { Principal } from '../../src/shared/auth/principal.js';
import { parseSearchQuery } from '../../src/modules/search/search-query.js';
import { contactSearchSql, conversationSearchSql, messageSearchSql, type SqlQuery } from '../../src/modules/search/search.sql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let admin: string;
let assignedOnly: { id: number; auth: string };
let noContacts: string;

interface Seeded {
  id: number;
  uuid: string;
  reference_number: string;
}

async function contact(ds: DataSource, email: string | null, first: string, last: string, extra: { phone?: string; deleted?: boolean } = {}) {
  const [row] = await ds.query(
    `INSERT INTO users (type, email, first_name, last_name, phone_number, deleted_at, created_at)
     VALUES ('contact', $1, $2, $3, $4, $5, '2024-03-01T10:00:00Z') RETURNING id`,
    [email, first, last, extra.phone ?? null, extra.deleted ? new Date() : null],
  );
  return row.id as number;
}

async function conversation(ds: DataSource, contactId: number, subject: string, assignedUserId: number | null = null): Promise<Seeded> {
  const [row] = await ds.query(
    `INSERT INTO conversations (contact_id, inbox_id, status_id, subject, assigned_user_id, created_at)
     VALUES ($1, (SELECT id FROM inboxes ORDER BY id LIMIT 1), (SELECT id FROM conversation_statuses WHERE name = 'Open'),
             $2, $3, '2024-04-01T09:00:00Z')
     RETURNING id, uuid, reference_number`,
    [contactId, subject, assignedUserId],
  );
  return row;
}

async function message(ds: DataSource, conversationId: number, text: string, opts: { type?: string; private?: boolean; at?: string } = {}) {
  await ds.query(
    `INSERT INTO conversation_messages (conversation_id, type, status, private, content, text_content, sender_type, created_at)
     VALUES ($1, $2, 'received', $3, $4, $4, 'contact', $5)`,
    [conversationId, opts.type ?? 'incoming', opts.private ?? false, text, opts.at ?? '2024-04-02T08:30:00.123Z'],
  );
}

async function agentWithRole(role: string, permissions: string[]) {
  await t.dataSource.query(`INSERT INTO roles (name, permissions) VALUES ($1, $2)`, [role, permissions]);
  const created = await t.http
    .post('/api/v1/agents')
    .set('Authorization', admin)
    .send({ first_name: role, email: `${role.toLowerCase()}@agents.test`, roles: [role] })
    .expect(200);
  const key = await t.http.post(`/api/v1/agents/${created.body.data.id}/api-key`).set('Authorization', admin).expect(200);
  return { id: created.body.data.id as number, auth: t.token(key.body.data) };
}

const search = (kind: 'conversations' | 'messages' | 'contacts', query: string, auth = admin) =>
  t.http.get(`/api/v1/${kind}/search`).query({ query }).set('Authorization', auth);

let refund: Seeded;
let shipping: Seeded;
let invoice: Seeded;

beforeAll(async () => {
  t = await startTestApp();
  admin = t.token(t.admin);
  assignedOnly = await agentWithRole('AssignedOnly', [Permission.ConversationsRead, Permission.ConversationsReadAssigned, Permission.MessagesRead]);
  noContacts = (await agentWithRole('NoContacts', [Permission.ConversationsRead, Permission.ConversationsReadAll])).auth;
  const ds = t.dataSource;
  const alice = await contact(ds, 'alice.wonder@example.com', 'Alice', 'Wonder', { phone: '+1 (555) 123-4567' });
  const bob = await contact(ds, 'bob.builder@example.org', 'Bob', 'Builder');
  const carol = await contact(ds, 'carol.singer@sample.net', 'Carol', 'Singer');
  await contact(ds, 'alice.gone@example.com', 'Alice', 'Gone', { deleted: true });
  await contact(ds, 'london@example.co.uk', 'Lon', 'Don', { phone: '0044 20 7946 0958' });
  await contact(ds, null, 'Nameless', 'Alicea', { phone: '0044 20 7946 0959' });
  refund = await conversation(ds, alice, 'Refund request for order 5521');
  shipping = await conversation(ds, bob, 'Shipping delay, 100% late');
  invoice = await conversation(ds, carol, 'Invoice question', assignedOnly.id);
  await message(ds, refund.id, 'I would like a refund for my broken kettle, please.');
  await message(ds, refund.id, 'Status changed to Open by refund bot', { type: 'activity' });
  await message(ds, refund.id, 'Internal: the customer qualifies for a refund voucher', { private: true });
  await message(ds, shipping.id, `${'x'.repeat(250)} kettle tracking`);
  await message(ds, invoice.id, 'Where is my kettle invoice? Path C:\\temp\\new_file and 50% off', { at: '2024-04-03T12:00:00.000Z' });
});
afterAll(async () => t?.close());

describe('GET /api/v1/conversations/search', () => {
  test('matches subject substrings and returns the contract shape with the status name', async () => {
    const res = await search('conversations', 'refund request').expect(200);
    expect(res.body.status).toBe('success');
    expect(res.body.data).toEqual([
      {
        created_at: '2024-04-01T09:00:00.000Z',
        uuid: refund.uuid,
        reference_number: refund.reference_number,
        subject: 'Refund request for order 5521',
        status: 'Open',
      },
    ]);
  });

  test('an exact reference number (with or without #) ranks first', async () => {
    for (const q of [invoice.reference_number, `#${invoice.reference_number}`]) {
      const res = await search('conversations', q).expect(200);
      expect(res.body.data[0].uuid).toBe(invoice.uuid);
    }
  });

  test('matches the contact email, case-insensitively', async () => {
    expect((await search('conversations', 'BOB.builder@')).body.data.map((c: Seeded) => c.uuid)).toEqual([shipping.uuid]);
    expect((await search('conversations', 'sample.net')).body.data.map((c: Seeded) => c.uuid)).toEqual([invoice.uuid]);
  });

  test('ranks exact, then prefix, then word start, then any substring, and limits to 30', async () => {
    const ds = t.dataSource;
    const someone = await contact(ds, 'ranker@example.com', 'Rank', 'Er');
    const substring = await conversation(ds, someone, 'Nonwarranty item');
    const wordStart = await conversation(ds, someone, 'Extended warranty');
    const prefix = await conversation(ds, someone, 'warranty claim for kettle');
    const exact = await conversation(ds, someone, 'Warranty');
    const res = await search('conversations', 'warranty').expect(200);
    expect(res.body.data.map((c: Seeded) => c.uuid)).toEqual([exact.uuid, prefix.uuid, wordStart.uuid, substring.uuid]);
    for (let i = 0; i < 35; i++) await conversation(ds, someone, `Bulk zebra crossing ${i}`);
    expect((await search('conversations', 'zebra crossing')).body.data).toHaveLength(30);
  });

  test('an older exact, prefix or word-start match still outranks more than 30 newer substring matches', async () => {
    const ds = t.dataSource;
    const someone = await contact(ds, 'gadgets@example.com', 'Gad', 'Get');
    const exact = await conversation(ds, someone, 'Gizmo');
    const prefix = await conversation(ds, someone, 'gizmo stopped');
    const wordStart = await conversation(ds, someone, 'My GIZMO');
    const substrings: Seeded[] = [];
    for (let i = 0; i < 40; i++) substrings.push(await conversation(ds, someone, `Megagizmo ${i}`));
    const res = await search('conversations', 'gizmo').expect(200);
    const newestSubstrings = substrings
      .reverse()
      .slice(0, 27)
      .map((c) => c.uuid);
    expect(res.body.data.map((c: Seeded) => c.uuid)).toEqual([exact.uuid, prefix.uuid, wordStart.uuid, ...newestSubstrings]);
  });

  test('a word-start match of the contact email outranks newer substring matches of the subject', async () => {
    const ds = t.dataSource;
    const owner = await contact(ds, 'the.pangolin@example.com', 'Pan', 'Golin');
    const other = await contact(ds, 'nobody@example.com', 'No', 'Body');
    const byEmail = await conversation(ds, owner, 'Question');
    for (let i = 0; i < 35; i++) await conversation(ds, other, `Superpangolin ${i}`);
    const res = await search('conversations', 'pangolin').expect(200);
    expect(res.body.data[0].uuid).toBe(byEmail.uuid);
    expect(res.body.data).toHaveLength(30);
  });

  test('an agent who may read only assigned conversations sees only those, even past the limit', async () => {
    const ds = t.dataSource;
    const someone = await contact(ds, 'many@example.com', 'Many', 'Tickets');
    const older = await conversation(ds, someone, 'Quokka report, older', assignedOnly.id);
    for (let i = 0; i < 35; i++) await conversation(ds, someone, `Quokka report ${i}`);
    const mine = await conversation(ds, someone, 'Quokka report assigned', assignedOnly.id);
    const res = await search('conversations', 'quokka report', assignedOnly.auth).expect(200);
    expect(res.body.data.map((c: Seeded) => c.uuid)).toEqual([mine.uuid, older.uuid]);
    const byRef = await search('conversations', refund.reference_number, assignedOnly.auth).expect(200);
    expect(byRef.body.data).toEqual([]);
  });
});

describe('GET /api/v1/messages/search', () => {
  test('matches text of non-activity messages, private notes included, with real timestamps', async () => {
    const res = await search('messages', 'refund').expect(200);
    expect(res.body.data).toHaveLength(2);
    for (const m of res.body.data) {
      expect(Object.keys(m).sort()).toEqual([
        'conversation_created_at',
        'conversation_reference_number',
        'conversation_status',
        'conversation_uuid',
        'created_at',
        'text_content',
      ]);
      expect(m).toMatchObject({
        created_at: '2024-04-02T08:30:00.123Z',
        conversation_created_at: '2024-04-01T09:00:00.000Z',
        conversation_uuid: refund.uuid,
        conversation_reference_number: refund.reference_number,
        conversation_status: 'Open',
      });
    }
    expect(res.body.data.map((m: { text_content: string }) => m.text_content)).not.toContain('Status changed to Open by refund bot');
  });

  test('ranks matches at a word start first, then the newest', async () => {
    const ds = t.dataSource;
    const someone = await contact(ds, 'zorbo@example.com', 'Zo', 'Rbo');
    const conv = await conversation(ds, someone, 'Zorbo parts');
    await message(ds, conv.id, 'megazorbo arrived', { at: '2024-06-01T00:00:00.000Z' });
    await message(ds, conv.id, 'the zorbo broke', { at: '2024-01-01T00:00:00.000Z' });
    await message(ds, conv.id, 'Zorbo again', { at: '2024-02-01T00:00:00.000Z' });
    const res = await search('messages', 'zorbo').expect(200);
    expect(res.body.data.map((m: { text_content: string }) => m.text_content)).toEqual(['Zorbo again', 'the zorbo broke', 'megazorbo arrived']);
  });

  test('truncates long text to 200 characters and respects conversation access', async () => {
    const all = await search('messages', 'kettle').expect(200);
    expect(all.body.data).toHaveLength(3);
    const long = all.body.data.find((m: { conversation_uuid: string }) => m.conversation_uuid === shipping.uuid);
    expect(long.text_content).toBe('x'.repeat(200));
    const mine = await search('messages', 'kettle', assignedOnly.auth).expect(200);
    expect(mine.body.data.map((m: { conversation_uuid: string }) => m.conversation_uuid)).toEqual([invoice.uuid]);
  });

  describe('words', () => {
    const texts = (res: { body: { data: Array<{ text_content: string }> } }) => res.body.data.map((m) => m.text_content);
    const M1 = 'Your frobnicator invoice is attached';
    const M2 = 'The frobnicator delivery was late again';
    const M3 = 'Sorry for the late delivery of the frobnicators';
    const M4 = 'Write to quill.ops@widgets.example about ticket FRB-20931-X';
    beforeAll(async () => {
      const ds = t.dataSource;
      const someone = await contact(ds, 'quill.ops@widgets.example', 'Quill', 'Ops');
      const conv = await conversation(ds, someone, 'Frobnicator shipment');
      await message(ds, conv.id, M1, { at: '2024-05-01T00:00:00.000Z' });
      await message(ds, conv.id, M2, { at: '2024-05-02T00:00:00.000Z' });
      await message(ds, conv.id, M3, { at: '2024-05-03T00:00:00.000Z' });
      await message(ds, conv.id, M4, { at: '2024-05-04T00:00:00.000Z' });
    });

    test('a word finds its other forms (English stems)', async () => {
      expect(texts(await search('messages', 'frobnicators').expect(200)).sort()).toEqual([M1, M2, M3].sort());
      expect(texts(await search('messages', 'Frobnicator INVOICES').expect(200))).toEqual([M1]);
    });

    test('a quoted phrase needs its words next to each other, in order', async () => {
      expect(texts(await search('messages', '"late delivery"').expect(200))).toEqual([M3]);
      expect(texts(await search('messages', '"frobnicator delivery"').expect(200))).toEqual([M2]);
      // Unquoted, the same words may be anywhere in the message.
      expect(texts(await search('messages', 'late delivery').expect(200)).sort()).toEqual([M2, M3].sort());
    });

    test('a word is excluded with a minus sign', async () => {
      expect(texts(await search('messages', 'frobnicator -invoice -sorry').expect(200))).toEqual([M2]);
    });

    test('emails and identifiers still match as substrings, and so does part of a word', async () => {
      expect(texts(await search('messages', 'ops@widgets.exam').expect(200))).toEqual([M4]);
      expect(texts(await search('messages', 'FRB-2093').expect(200))).toEqual([M4]);
      expect(texts(await search('messages', '20931').expect(200))).toEqual([M4]);
      // Inside a word: full-text search cannot see it, the substring fallback does.
      expect(texts(await search('messages', 'obnicator deliv').expect(200))).toEqual([M2]);
    });

    test('a query of stop words only falls back to substrings', async () => {
      expect(texts(await search('messages', 'of the').expect(200))).toEqual([M3]);
    });
  });
});

describe('GET /api/v1/contacts/search', () => {
  test('matches email, full name and phone digits; skips deleted contacts, contacts without email and agents', async () => {
    const byEmail = await search('contacts', 'alice').expect(200);
    expect(byEmail.body.data).toEqual([
      { id: expect.any(Number), created_at: '2024-03-01T10:00:00.000Z', first_name: 'Alice', last_name: 'Wonder', email: 'alice.wonder@example.com' },
    ]);
    expect((await search('contacts', 'Carol Singer')).body.data.map((c: { email: string }) => c.email)).toEqual(['carol.singer@sample.net']);
    expect((await search('contacts', '555-1234')).body.data.map((c: { email: string }) => c.email)).toEqual(['alice.wonder@example.com']);
    expect((await search('contacts', '+44 20 7946 0958')).body.data).toEqual([expect.objectContaining({ first_name: 'Lon', email: 'london@example.co.uk' })]);
    expect((await search('contacts', 'agents.test')).body.data).toEqual([]);
  });

  test('an older exact or word-start match still outranks more than 30 newer substring matches', async () => {
    const ds = t.dataSource;
    const exact = await contact(ds, 'wombat@zoo.example', 'Exact', 'Match');
    const wordStart = await contact(ds, 'the.wombat@zoo.example', 'Word', 'Start');
    const byName = await contact(ds, 'keeper@zoo.example', 'Wombat', 'Keeper');
    const substrings: number[] = [];
    for (let i = 0; i < 40; i++) substrings.push(await contact(ds, `x${i}wombat@zoo.example`, 'Sub', `String${i}`));
    await contact(ds, 'wombat@zoo.example.gone', 'Deleted', 'Prefix', { deleted: true });
    const res = await search('contacts', 'wombat@zoo.example').expect(200);
    expect(res.body.data.map((c: { id: number }) => c.id)).toEqual([exact, wordStart, ...substrings.reverse().slice(0, 28)]);
    const named = await search('contacts', 'wombat').expect(200);
    expect(named.body.data.slice(0, 3).map((c: { id: number }) => c.id)).toEqual([byName, exact, wordStart]);
  });
});

describe('query validation and hostile input', () => {
  test.each(['conversations', 'messages', 'contacts'] as const)('%s: missing, short or too long query is 400 (search, not the /{id} route)', async (kind) => {
    const missing = await t.http.get(`/api/v1/${kind}/search`).set('Authorization', admin);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ status: 'error', error_type: 'InputException', message: 'Please enter at least 3 characters to search.' });
    for (const q of ['ab', '  ab  ', '', 'x'.repeat(401), 'x'.repeat(10_000)]) expect((await search(kind, q)).status).toBe(400);
    const twice = await t.http.get(`/api/v1/${kind}/search?query=abc&query=def`).set('Authorization', admin);
    expect(twice.status).toBe(400);
  });

  test.each(['conversations', 'messages', 'contacts'] as const)('%s: hostile queries are plain text, never a 5xx', async (kind) => {
    const hostile = [
      `'; DROP TABLE users; --`,
      `"\\"`,
      '%%%',
      '___',
      '\\\\\\',
      '😀😀😀',
      'a\u0000bc',
      `%' OR 1=1 --`,
      'ｆｕｌｌ',
      '\u202e\u202dabc',
      '(((',
      '[a-z]+',
      '.*.*',
      '\\m\\M',
      '^$|',
      '\\',
      '*?+{1,2}',
    ];
    for (const q of hostile) {
      const res = await search(kind, q);
      expect([200, 400], `${kind} ${JSON.stringify(q)}`).toContain(res.status);
      expect(res.body.status).toBe(res.status === 200 ? 'success' : 'error');
    }
    for (const q of ['%%%', '___', '_%_%', '\\\\\\']) expect((await search(kind, q)).body.data).toEqual([]);
    for (const raw of ['%FF%FE%FD', '%ED%A0%80abc', '%C0%AFabc', '%', '%E2%82']) {
      const res = await t.http.get(`/api/v1/${kind}/search?query=${raw}`).set('Authorization', admin);
      expect([200, 400], `${kind} ${raw}`).toContain(res.status);
    }
  });

  test('LIKE metacharacters match literally', async () => {
    expect((await search('conversations', '100%')).body.data.map((c: Seeded) => c.uuid)).toEqual([shipping.uuid]);
    expect((await search('conversations', 'del_y')).body.data).toEqual([]);
    expect((await search('messages', 'new_file')).body.data).toHaveLength(1);
    expect((await search('messages', 'new%file')).body.data).toEqual([]);
    expect((await search('messages', 'C:\\temp')).body.data).toHaveLength(1);
    expect((await search('messages', '50% off')).body.data).toHaveLength(1);
  });
});

describe('permissions', () => {
  test('no credentials is 401', async () => {
    for (const kind of ['conversations', 'messages', 'contacts']) {
      const res = await t.http.get(`/api/v1/${kind}/search?query=abc`);
      expect(res.status).toBe(401);
    }
  });

  test('each search needs its permission', async () => {
    expect((await search('contacts', 'alice', noContacts)).status).toBe(403);
    expect((await search('messages', 'kettle', noContacts)).status).toBe(403);
    expect((await search('contacts', 'alice', assignedOnly.auth)).status).toBe(403);
    expect((await search('conversations', 'refund', noContacts)).status).toBe(200);
  });
});

describe('indexes', () => {
  const adminPrincipal: Principal = {
    id: 1,
    email: 'a@b',
    firstName: 'A',
    lastName: '',
    roles: ['Admin'],
    permissions: new Set(ALL_PERMISSIONS),
    teamIds: [],
  };

  /** With `bitmapOnly`, a matcher can be answered only through an index on its own expression. */
  async function explain(q: SqlQuery, options: string, bitmapOnly = false): Promise<string> {
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // A small table makes a full scan look cheaper than any index; search must never need one.
      await runner.query('SET LOCAL enable_seqscan = off');
      if (bitmapOnly) {
        // Nearly every user is a contact: only in a tiny table does reading all of them through these
        // two indexes look as cheap as a trigram lookup.
        await runner.query('DROP INDEX users_type_updated_idx, users_contact_created_idx');
        await runner.query('SET LOCAL enable_indexscan = off');
        await runner.query('SET LOCAL enable_indexonlyscan = off');
      }
      const rows: Array<{ 'QUERY PLAN': string }> = await runner.query(`EXPLAIN (${options}) ${q.sql}`, q.params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  /** Rows the executed plan read through these indexes: returned by their scans plus removed by filters. */
  function rowsReadThrough(analyzed: string, indexes: string[]): number {
    const lines = analyzed.split('\n');
    const names = indexes.join('|');
    let total = 0;
    lines.forEach((line, i) => {
      const scan = new RegExp(`(?:Scan using (?:${names}) on .*|Bitmap Index Scan on (?:${names}) )\\(actual rows=([\\d.]+) loops=(\\d+)`).exec(line);
      if (!scan) return;
      total += Number(scan[1]) * Number(scan[2]);
      for (let j = i + 1; j < lines.length && !lines[j].includes('->'); j++) {
        const removed = /Rows Removed by Filter: (\d+)/.exec(lines[j]);
        if (removed) total += Number(removed[1]);
      }
    });
    return total;
  }

  beforeAll(async () => {
    const ds = t.dataSource;
    await ds.query(`
      INSERT INTO users (type, email, first_name, last_name, phone_number)
      SELECT 'contact', 'bulk' || g || '@customer' || (g % 97) || '.example', 'First' || g, 'Customer' || g, '+1 555 ' || lpad(g::text, 7, '0')
        FROM generate_series(1, 5000) g`);
    await ds.query(`
      INSERT INTO conversations (contact_id, inbox_id, status_id, subject)
      SELECT u.id, (SELECT min(id) FROM inboxes), (SELECT id FROM conversation_statuses WHERE name = 'Open'), 'Customer ' || u.id || ' asks about item ' || md5(u.id::text)
        FROM users u WHERE u.email LIKE 'bulk%'`);
    await ds.query(`
      INSERT INTO conversation_messages (conversation_id, type, status, text_content, sender_type)
      SELECT c.id, 'incoming', 'received', 'Message ' || g || ' body ' || md5(c.id::text || g), 'contact'
        FROM conversations c, generate_series(1, 4) g`);
    await ds.query('ANALYZE');
  });

  test('every matcher can be served by an index on its expression', async () => {
    const term = parseSearchQuery('d41d8cd9');
    const conv = await explain(conversationSearchSql(term, adminPrincipal), 'COSTS OFF', true);
    for (const index of ['conversations_subject_trgm', 'conversations_subject_lower_idx', 'users_email_trgm', 'users_email_lower_idx']) {
      expect(conv).toContain(index);
    }
    expect(conv).not.toMatch(/Seq Scan on (conversations|users)/);
    const msgs = await explain(messageSearchSql(term, adminPrincipal), 'COSTS OFF', true);
    expect(msgs).toContain('conversation_messages_text_trgm');
    expect(msgs).not.toMatch(/Seq Scan on conversation_messages/);
    const words = await explain(messageSearchSql(parseSearchQuery('kettles'), adminPrincipal), 'COSTS OFF', true);
    expect(words).toContain('conversation_messages_search_idx');
    expect(words).not.toMatch(/Seq Scan on conversation_messages/);
    const contacts = await explain(contactSearchSql(parseSearchQuery('555 000 42')), 'COSTS OFF', true);
    for (const index of ['users_email_trgm', 'users_email_lower_idx', 'users_full_name_trgm', 'users_full_name_lower_idx', 'users_phone_digits_trgm']) {
      expect(contacts).toContain(index);
    }
    expect(contacts).not.toMatch(/Seq Scan on users/);
  });

  test('a term that matches every row walks the newest rows and stops after a few', async () => {
    const analyze = 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF';
    const conv = await explain(conversationSearchSql(parseSearchQuery('customer'), adminPrincipal), analyze);
    expect(rowsReadThrough(conv, ['conversations_activity_idx'])).toBeGreaterThan(0);
    const convMatchers = [
      'conversations_activity_idx',
      'conversations_subject_lower_idx',
      'conversations_subject_trgm',
      'users_email_lower_idx',
      'users_email_trgm',
    ];
    expect(rowsReadThrough(conv, convMatchers)).toBeLessThan(500);
    const contacts = await explain(contactSearchSql(parseSearchQuery('customer')), analyze);
    expect(rowsReadThrough(contacts, ['users_contact_created_idx'])).toBeGreaterThan(0);
    const contactMatchers = ['users_contact_created_idx', 'users_email_lower_idx', 'users_email_trgm', 'users_full_name_lower_idx', 'users_full_name_trgm'];
    expect(rowsReadThrough(contacts, contactMatchers)).toBeLessThan(500);
    // Every bulk message has the word "body": word search stops after its newest candidates.
    const words = await explain(messageSearchSql(parseSearchQuery('bodies'), adminPrincipal), analyze);
    expect(words).toMatch(/One-Time Filter/);
    expect(rowsReadThrough(words, ['conversation_messages_pkey', 'conversation_messages_search_idx', 'conversation_messages_text_trgm'])).toBeLessThan(500);
  });
});
