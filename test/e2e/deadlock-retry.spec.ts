import { createAgent, createConversation, createTeam, startConversationsApp } from './conversations.fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Found by `npm run fuzz -- --concurrency 32` on PostgreSQL: a team deletion (cascading into its
 * conversations) deadlocked with a reply updating one of them, and the victim answered 500.
 * Transactions chosen as deadlock victims are now run again, and a team deletion locks its
 * conversations first.
 */
let t: TestApp;
let auth: string;
beforeAll(async () => {
  t = await startConversationsApp({ RATE_LIMIT_ENABLED: 'false' });
  auth = t.token(t.admin);
});
afterAll(async () => t?.close());

describe('deadlocks', () => {
  test.skipIf(!process.env.DATABASE_URL)('a transaction picked as a deadlock victim is run again, and both writers succeed', async () => {
    const [a, b] = [await createTeam(t), await createTeam(t)];
    let attempts = 0;
    let arrived = 0;
    let release!: () => void;
    const bothLocked = new Promise<void>((resolve) => (release = resolve));
    const crosswise = (first: number, second: number) =>
      t.dataSource.transaction(async (m) => {
        attempts += 1;
        await m.query(`UPDATE teams SET updated_at = now() WHERE id = $1`, [first]);
        if (++arrived === 2) release();
        if (arrived <= 2) await bothLocked;
        await m.query(`UPDATE teams SET updated_at = now() WHERE id = $1`, [second]);
        return first;
      });
    await expect(Promise.all([crosswise(a.id, b.id), crosswise(b.id, a.id)])).resolves.toEqual([a.id, b.id]);
    expect(attempts).toBe(3);
  });

  test('deleting teams while their conversations get replies and reassignments never answers 5xx', async () => {
    const agent = await createAgent(t);
    for (let round = 0; round < 3; round++) {
      const team = await createTeam(t);
      const spare = await createTeam(t);
      const conversations = await Promise.all(Array.from({ length: 6 }, () => createConversation(t, { team_id: team.id })));
      const requests = [
        t.http.delete(`/api/v1/teams/${team.id}`).set('Authorization', auth),
        ...conversations.flatMap((c) => [
          t.http.post(`/api/v1/conversations/${c.uuid}/messages`).set('Authorization', auth).send({ message: 'Racing the deletion' }),
          t.http.put(`/api/v1/conversations/${c.uuid}/assignee/user`).set('Authorization', auth).send({ assignee_id: agent.id }),
          t.http.put(`/api/v1/conversations/${c.uuid}/assignee/team`).set('Authorization', auth).send({ assignee_id: spare.id }),
        ]),
      ];
      const statuses = (await Promise.all(requests)).map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses[0]).toBe(200);
      await t.http.get(`/api/v1/teams/${team.id}`).set('Authorization', auth).expect(404);
      for (const c of conversations) {
        const after = await t.http.get(`/api/v1/conversations/${c.uuid}`).set('Authorization', auth).expect(200);
        expect([null, spare.id]).toContain(after.body.data.assigned_team_id);
      }
    }
  });
});
