import type { TestApp } from './test-app.js';

export interface CreatedAgent {
  id: number;
  email: string;
  api_key: string;
  api_secret: string;
}

let counter = 0;

/** Creates an agent over HTTP as the admin and issues its key pair. */
export async function createAgent(
  t: TestApp,
  body: Partial<{ first_name: string; last_name: string; email: string; roles: string[]; teams: Array<string | number> }> = {},
): Promise<CreatedAgent> {
  counter += 1;
  const email = body.email ?? `agent${counter}-${Date.now()}@example.com`;
  const created = await t.http
    .post('/api/v1/agents')
    .set('Authorization', t.token(t.admin))
    .send({ first_name: 'Bob', last_name: 'Agent', roles: ['Agent'], ...body, email });
  if (created.status !== 200) throw new Error(`create agent failed: ${created.status} ${JSON.stringify(created.body)}`);
  const key = await t.http.post(`/api/v1/agents/${created.body.data.id}/api-key`).set('Authorization', t.token(t.admin));
  if (key.status !== 200) throw new Error(`generate key failed: ${key.status} ${JSON.stringify(key.body)}`);
  return { id: created.body.data.id, email, ...key.body.data };
}

/** Creates a role with exactly these permissions (roles have no API in the contract). */
export async function createRole(t: TestApp, name: string, permissions: string[]): Promise<void> {
  await t.dataSource.query(`INSERT INTO roles (name, permissions) VALUES ($1, $2)`, [name, permissions]);
}
