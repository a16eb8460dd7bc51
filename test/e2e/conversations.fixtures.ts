import { startTestApp, type Credentials, type TestApp } from '../support/test-app.js';

/** The app as conversation tests need it: a real-looking inbox address, and no email worker (replies stay pending). */
export function startConversationsApp(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ INBOX_EMAIL: 'Support <support@example.com>', MAIL_WORKER_ENABLED: 'false', ...env });
}

let sequence = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;

export async function inboxId(t: TestApp): Promise<number> {
  const rows: Array<{ id: number }> = await t.dataSource.query(`SELECT id FROM inboxes WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
  return rows[0].id;
}

export async function createTeam(t: TestApp, name = unique('Team')): Promise<{ id: number; name: string }> {
  const res = await t.http.post('/api/v1/teams').set('Authorization', t.token(t.admin)).send({ name }).expect(200);
  return { id: res.body.data.id, name };
}

export interface AgentOptions {
  firstName?: string;
  lastName?: string;
  roles?: string[];
  teams?: number[];
}

/** An agent with an API key; roles default to the seeded `Agent`. */
export async function createAgent(t: TestApp, options: AgentOptions = {}): Promise<Credentials & { name: string }> {
  const email = `${unique('agent')}@example.com`;
  const firstName = options.firstName ?? 'Bob';
  const lastName = options.lastName ?? 'Agent';
  const created = await t.http
    .post('/api/v1/agents')
    .set('Authorization', t.token(t.admin))
    .send({ email, first_name: firstName, last_name: lastName, roles: options.roles ?? ['Agent'], teams: options.teams ?? [] })
    .expect(200);
  const id = created.body.data.id as number;
  const key = await t.http.post(`/api/v1/agents/${id}/api-key`).set('Authorization', t.token(t.admin)).expect(200);
  return { id, email, api_key: key.body.data.api_key, api_secret: key.body.data.api_secret, name: `${firstName} ${lastName}` };
}

/** A role holding exactly these permissions (roles have no API here; the seeded rows are plain SQL). */
export async function createRole(t: TestApp, permissions: string[], name = unique('Role')): Promise<string> {
  await t.dataSource.query(`INSERT INTO roles (name, description, permissions) VALUES ($1, 'test role', $2)`, [name, permissions]);
  return name;
}

export interface NewConversation {
  contact_email?: string;
  first_name?: string;
  last_name?: string;
  subject?: string;
  content?: string;
  initiator?: 'agent' | 'contact';
  team_id?: number | null;
  agent_id?: number | null;
  attachments?: number[];
  inbox_id?: number;
}

/** Creates a conversation as `as` (the admin by default) and returns the response data. */
export async function createConversation(t: TestApp, body: NewConversation = {}, as: Credentials = t.admin) {
  const res = await t.http
    .post('/api/v1/conversations')
    .set('Authorization', t.token(as))
    .send({
      inbox_id: body.inbox_id ?? (await inboxId(t)),
      contact_email: body.contact_email ?? `${unique('contact')}@example.com`,
      first_name: body.first_name ?? 'Carol',
      last_name: body.last_name ?? 'Contact',
      subject: body.subject ?? 'Help with my order',
      content: body.content ?? '<p>My order has not arrived.</p>',
      initiator: body.initiator ?? 'contact',
      ...(body.team_id !== undefined ? { team_id: body.team_id } : {}),
      ...(body.agent_id !== undefined ? { agent_id: body.agent_id } : {}),
      ...(body.attachments !== undefined ? { attachments: body.attachments } : {}),
    });
  if (res.status !== 200) throw new Error(`create conversation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function messagesOf(t: TestApp, uuid: string, query = '') {
  const res = await t.http.get(`/api/v1/conversations/${uuid}/messages${query}`).set('Authorization', t.token(t.admin)).expect(200);
  return res.body.data.results as Array<Record<string, any>>;
}

export async function activityTexts(t: TestApp, uuid: string): Promise<string[]> {
  return (await messagesOf(t, uuid, '?type=activity&page_size=100')).map((m) => m.content as string).reverse();
}
