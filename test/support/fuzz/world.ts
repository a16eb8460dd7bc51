import { multipartBody } from './multipart.js';
import type { RawHttpClient } from './http-client.js';

export interface KeyPair {
  id: number;
  api_key: string;
  api_secret: string;
}

/** Real resources that path parameters and body references point at, so handlers run past their lookups. */
export interface Pools {
  /** Agents the fuzzer may edit, disable, delete or strip of their keys: never the fuzzing callers. */
  agents: number[];
  teams: Array<{ id: number; name: string }>;
  statuses: Array<{ id: number; name: string }>;
  contacts: number[];
  notes: Array<{ contactId: number; id: number }>;
  inboxes: number[];
  views: number[];
  webhooks: number[];
  deliveries: Array<{ webhookId: number; id: number }>;
  conversations: string[];
  messages: Array<{ conversation: string; uuid: string }>;
  /** Replies the mail sink refuses (they end `failed`), for retries. */
  bounced: Array<{ conversation: string; uuid: string }>;
  media: Array<{ id: number; uuid: string; url: string }>;
  promptKeys: string[];
}

export const emptyPools = (): Pools => ({
  agents: [],
  teams: [],
  statuses: [],
  contacts: [],
  notes: [],
  inboxes: [],
  views: [],
  webhooks: [],
  deliveries: [],
  conversations: [],
  messages: [],
  bounced: [],
  media: [],
  promptKeys: [],
});

export const authHeader = (k: Pick<KeyPair, 'api_key' | 'api_secret'>) => `token ${k.api_key}:${k.api_secret}`;

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * The fuzzing callers (the admin, and an agent with the seeded `Agent` role) and the pools of real
 * resources. `replenish()` tops the pools up, since the fuzzer deletes what it finds.
 */
export class FuzzWorld {
  readonly pools = emptyPools();
  agent!: KeyPair;
  private round = 0;

  constructor(
    readonly client: RawHttpClient,
    readonly admin: KeyPair,
    private readonly tag = `${process.pid}`,
  ) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.client.json<T>(method, path, authHeader(this.admin), body);
  }

  private async newAgent(roles: string[], teams: number[] = []): Promise<KeyPair> {
    const n = `${this.tag}-${this.round}-${Math.random().toString(36).slice(2, 8)}`;
    const agent = await this.call<{ id: number }>('POST', '/api/v1/agents', {
      email: `fuzz-agent-${n}@example.com`,
      first_name: 'Fuzz',
      last_name: `Agent ${n}`,
      roles,
      teams: teams.map(String),
    });
    const key = await this.call<{ api_key: string; api_secret: string }>('POST', `/api/v1/agents/${agent.id}/api-key`);
    return { id: agent.id, ...key };
  }

  /** Makes sure both callers still authenticate (the fuzzer never targets them, but checks anyway). */
  async ensureCallers(): Promise<void> {
    const me = await this.client.send({ method: 'GET', path: '/api/v1/agents/me', headers: { Authorization: authHeader(this.admin) } });
    if (me.status !== 200) throw new Error(`the admin key stopped working (${me.status}): the fuzzer cannot go on`);
    const agentOk =
      this.agent && (await this.client.send({ method: 'GET', path: '/api/v1/agents/me', headers: { Authorization: authHeader(this.agent) } })).status === 200;
    if (!agentOk) this.agent = await this.newAgent(['Agent']);
  }

  async replenish(): Promise<void> {
    this.round += 1;
    const p = this.pools;
    const n = `${this.tag}-${this.round}`;
    await this.ensureCallers();
    await this.call('PUT', '/api/v1/ai/provider', { provider: 'openai', api_key: `sk-fuzz-${n}` });
    const prompts = await this.call<Array<{ key: string }>>('GET', '/api/v1/ai/prompts');
    p.promptKeys = prompts.map((x) => x.key);

    const team = await this.call<{ id: number; name: string }>('POST', '/api/v1/teams', { name: `Fuzz team ${n}` });
    p.teams.push({ id: team.id, name: team.name });
    const status = await this.call<{ id: number; name: string }>('POST', '/api/v1/statuses', { name: `Fuzz status ${n}` });
    p.statuses.push({ id: status.id, name: status.name });
    const victim = await this.newAgent(['Agent'], [team.id]);
    p.agents.push(victim.id);
    const inbox = await this.call<{ id: number }>('POST', '/api/v1/inboxes', { name: `Fuzz inbox ${n}`, from: `Fuzz <fuzz-${n}@example.com>` });
    const inboxes = await this.call<Array<{ id: number; enabled: boolean }>>('GET', '/api/v1/inboxes');
    p.inboxes = inboxes.filter((i) => i.enabled).map((i) => i.id);

    const upload = multipartBody([{ name: 'files', filename: `fuzz-${n}.png`, contentType: 'image/png', content: PNG_1X1 }]);
    const media = await this.client.send({
      method: 'POST',
      path: '/api/v1/media',
      headers: { Authorization: authHeader(this.admin), 'Content-Type': upload.contentType },
      body: upload.body,
    });
    if (media.status === 200) {
      const m = (media.json as { data: { id: number; uuid: string; url: string } }).data;
      p.media.push({ id: m.id, uuid: m.uuid, url: m.url });
    }

    for (const [i, assignment] of [{}, { agent_id: victim.id }, { team_id: team.id }, { agent_id: this.agent.id, team_id: team.id }].entries()) {
      const conv = await this.call<{ uuid: string; contact_id: number }>('POST', '/api/v1/conversations', {
        inbox_id: inbox.id,
        contact_email: `fuzz-contact-${n}-${i}@example.com`,
        first_name: 'Fuzz',
        last_name: 'Contact',
        subject: `Fuzz conversation ${n}`,
        content: '<p>Hello from the fuzzer</p>',
        initiator: i % 2 === 0 ? 'contact' : 'agent',
        ...assignment,
      });
      p.conversations.push(conv.uuid);
      p.contacts.push(conv.contact_id);
      const msg = await this.call<{ uuid: string }>('POST', `/api/v1/conversations/${conv.uuid}/messages`, {
        message: `<p>Reply ${n}</p>`,
        private: i === 0,
      });
      p.messages.push({ conversation: conv.uuid, uuid: msg.uuid });
      if (i === 1) {
        // Refused by the mail sink of `npm run fuzz`, so the reply ends `failed` and retries run for real.
        const refused = await this.call<{ uuid: string }>('POST', `/api/v1/conversations/${conv.uuid}/messages`, {
          message: 'Bounce',
          to: [`reject-${n}@example.com`],
        });
        p.bounced.push({ conversation: conv.uuid, uuid: refused.uuid });
      }
      const note = await this.call<{ id: number }>('POST', `/api/v1/contacts/${conv.contact_id}/notes`, { note: `Fuzz note ${n}` });
      p.notes.push({ contactId: conv.contact_id, id: note.id });
    }
    const view = await this.call<{ id: number }>('POST', '/api/v1/views', { name: `Fuzz view ${n}`, filters: { inbox_id: inbox.id } });
    p.views.push(view.id);
    const shared = await this.call<{ id: number }>('POST', '/api/v1/views', { name: `Fuzz team view ${n}`, visibility: 'team', team_id: team.id });
    p.views.push(shared.id);
    const webhook = await this.call<{ id: number }>('POST', '/api/v1/webhooks', { name: `Fuzz hook ${n}`, url: 'http://127.0.0.1:9/hooks/fuzz' });
    p.webhooks.push(webhook.id);
    p.deliveries = [];
    for (const id of p.webhooks) {
      const res = await this.client.send({
        method: 'GET',
        path: `/api/v1/webhooks/${id}/deliveries?page_size=5`,
        headers: { Authorization: authHeader(this.admin) },
      });
      const results = res.status === 200 ? (res.json as { data: { results: Array<{ id: number }> } }).data.results : [];
      for (const d of results) p.deliveries.push({ webhookId: id, id: d.id });
    }
    for (const list of Object.values(p)) if (Array.isArray(list) && list.length > 12) list.splice(0, list.length - 12);
  }
}
