import { EventsService } from '../../src/modules/events/events.service.js';
import type { TestApp } from '../support/test-app.js';

/** One request of the matrix. `files` sends a small PNG as the multipart field `files`. */
export interface Req {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  body?: object;
  fields?: Record<string, string>;
  files?: boolean;
  /** Send no Authorization header (a signed URL). */
  anonymous?: boolean;
}

export interface Caller {
  id: number;
  auth: string;
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

/**
 * Fresh targets for the requests, made as the admin over the API (SQL only where the API has no
 * way: a failed message, a failed webhook delivery, a note written by someone else).
 */
export class Fixtures {
  readonly admin: string;
  teamId = 0;
  inboxId = 0;
  sharedViewId = 0;
  promptKey = '';

  constructor(readonly t: TestApp) {
    this.admin = t.token(t.admin);
  }

  async call<T = any>(method: Req['method'], path: string, body?: object): Promise<T> {
    const res = await this.t.http[method](path).set('Authorization', this.admin).send(body);
    if (res.status !== 200) throw new Error(`fixture ${method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data as T;
  }

  async setUp(): Promise<void> {
    this.teamId = (await this.team()).id;
    this.inboxId = (await this.call<Array<{ id: number }>>('get', '/api/v1/inboxes'))[0].id;
    this.sharedViewId = (await this.call('post', '/api/v1/views', { name: unique('All'), visibility: 'all' })).id;
    await this.call('put', '/api/v1/ai/provider', { provider: 'openai', api_key: 'sk-matrix' });
    this.promptKey = (await this.call<Array<{ key: string }>>('get', '/api/v1/ai/prompts'))[0].key;
  }

  team = () => this.call<{ id: number }>('post', '/api/v1/teams', { name: unique('Team') });
  status = () => this.call<{ id: number }>('post', '/api/v1/statuses', { name: unique('Status') });
  inbox = () => this.call<{ id: number }>('post', '/api/v1/inboxes', { name: unique('Inbox'), from: `${unique('in')}@example.com` });
  webhook = () => this.call<{ id: number }>('post', '/api/v1/webhooks', { name: unique('Hook'), url: 'http://127.0.0.1:9/hook' });
  customAttribute = () =>
    this.call<{ id: number }>('post', '/api/v1/custom-attributes', {
      name: 'Matrix',
      applies_to: 'conversation',
      key: unique('matrix').replace(/-/g, '_'),
      data_type: 'text',
    });
  tag = () => this.call<{ id: number }>('post', '/api/v1/tags', { name: unique('Tag') });
  role = () => this.call<{ id: number }>('post', '/api/v1/roles', { name: unique('Role'), permissions: ['conversations:read'] });
  agent = () => this.call<{ id: number }>('post', '/api/v1/agents', { email: `${unique('victim')}@example.com`, first_name: 'Vic', roles: ['Agent'] });

  async conversation(assignee: number | null = null): Promise<{ uuid: string; contactId: number }> {
    const c = await this.call('post', '/api/v1/conversations', {
      inbox_id: this.inboxId,
      contact_email: `${unique('contact')}@example.com`,
      first_name: 'Mat',
      last_name: 'Rix',
      subject: 'Matrix question',
      content: '<p>matrix</p>',
      initiator: 'contact',
      ...(assignee ? { agent_id: assignee } : {}),
    });
    return { uuid: c.uuid, contactId: c.contact_id };
  }

  /** The team first: a new team clears the agent assignee (reference §5.5). */
  async assign(uuid: string, user: number | null, team: number | null): Promise<void> {
    if (team) await this.call('put', `/api/v1/conversations/${uuid}/assignee/team`, { assignee_id: team });
    else await this.call('put', `/api/v1/conversations/${uuid}/assignee/team/remove`);
    if (user) await this.call('put', `/api/v1/conversations/${uuid}/assignee/user`, { assignee_id: user });
    else await this.call('put', `/api/v1/conversations/${uuid}/assignee/user/remove`);
  }

  message = (uuid: string) => this.call<{ uuid: string; id: number }>('post', `/api/v1/conversations/${uuid}/messages`, { message: 'reply' });

  async failedMessage(uuid: string): Promise<string> {
    const m = await this.message(uuid);
    await this.t.dataSource.query(`UPDATE conversation_messages SET status = 'failed' WHERE uuid = $1`, [m.uuid]);
    await this.t.dataSource.query(`UPDATE email_outbox SET state = 'failed', attempts = 5 WHERE message_id = $1`, [m.id]);
    return m.uuid;
  }

  async note(contactId: number, author: number): Promise<number> {
    const note = await this.call<{ id: number }>('post', `/api/v1/contacts/${contactId}/notes`, { note: 'matrix note' });
    await this.t.dataSource.query(`UPDATE contact_notes SET user_id = $1 WHERE id = $2`, [author, note.id]);
    return note.id;
  }

  async delivery(webhookId: number): Promise<number> {
    await this.conversation();
    await this.t.app.get(EventsService).numberCommitted();
    const [row] = await this.t.dataSource.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, attempts)
       SELECT $1, id, type, 'failed', 12 FROM events WHERE id IS NOT NULL ORDER BY seq DESC LIMIT 1 RETURNING id`,
      [webhookId],
    );
    return Number(row.id);
  }

  async media(): Promise<{ uuid: string; url: string }> {
    const res = await this.t.http.post('/api/v1/media').set('Authorization', this.admin).attach('files', PNG, { filename: 'm.png', contentType: 'image/png' });
    if (res.status !== 200) throw new Error(`fixture upload → ${res.status}`);
    return res.body.data;
  }

  async agentWith(roles: string[], teams: number[]): Promise<Caller> {
    const a = await this.call('post', '/api/v1/agents', { email: `${unique('matrix')}@example.com`, first_name: 'M', roles, teams: teams.map(String) });
    const key = await this.call('post', `/api/v1/agents/${a.id}/api-key`);
    return { id: a.id, auth: this.t.token(key) };
  }

  private readonly byPermissions = new Map<string, Caller>();

  /** An agent (in the fixture team by default) whose one role holds exactly `permissions` (roles have no API: SQL). */
  async withPermissions(permissions: string[], teams = [this.teamId]): Promise<Caller> {
    const key = `${[...permissions].sort().join(',')} in ${teams.join(',')}`;
    let caller = this.byPermissions.get(key);
    if (!caller) {
      const name = unique('Matrix role');
      await this.t.dataSource.query(`INSERT INTO roles (name, description, permissions) VALUES ($1, 'permission matrix', $2)`, [name, permissions]);
      caller = await this.agentWith([name], teams);
      this.byPermissions.set(key, caller);
    }
    return caller;
  }

  /** A view owned by the caller when it may create one, else one of the admin's. */
  async ownView(caller: Caller): Promise<number> {
    const res = await this.t.http
      .post('/api/v1/views')
      .set('Authorization', caller.auth)
      .send({ name: unique('Mine') });
    if (res.status === 200) return res.body.data.id;
    return (await this.call('post', '/api/v1/views', { name: unique('Admins') })).id;
  }
}

type Build = (f: Fixtures, c: Caller, conv: { uuid: string; contactId: number }) => Promise<Req> | Req;

/**
 * How to call each case. Conversation-scoped cases get a conversation assigned to the caller
 * (or to someone else, for the §3.3 column); destructive cases make a fresh target each time.
 */
export const CALLS: Record<string, Build> = {
  handleHealthCheck: () => ({ method: 'get', path: '/health' }),
  handleGetAgents: () => ({ method: 'get', path: '/api/v1/agents' }),
  handleCreateAgent: () => ({ method: 'post', path: '/api/v1/agents', body: { email: `${unique('new')}@example.com`, first_name: 'New', roles: ['Agent'] } }),
  handleGetCurrentAgent: () => ({ method: 'get', path: '/api/v1/agents/me' }),
  handleUpdateAgentAvailability: () => ({ method: 'put', path: '/api/v1/agents/me/availability', body: { status: 'away' } }),
  handleGetAgent: async (f) => ({ method: 'get', path: `/api/v1/agents/${(await f.agent()).id}` }),
  handleUpdateAgent: async (f) => ({ method: 'put', path: `/api/v1/agents/${(await f.agent()).id}`, body: { first_name: 'Renamed' } }),
  handleDeleteAgent: async (f) => ({ method: 'delete', path: `/api/v1/agents/${(await f.agent()).id}` }),
  handleGenerateAPIKey: async (f) => ({ method: 'post', path: `/api/v1/agents/${(await f.agent()).id}/api-key` }),
  handleRevokeAPIKey: async (f) => ({ method: 'delete', path: `/api/v1/agents/${(await f.agent()).id}/api-key` }),
  handleAICompletion: (f) => ({ method: 'post', path: '/api/v1/ai/completion', body: { prompt_key: f.promptKey, content: 'Make this nicer' } }),
  handleGetAIPrompts: () => ({ method: 'get', path: '/api/v1/ai/prompts' }),
  handleUpdateAIProvider: () => ({ method: 'put', path: '/api/v1/ai/provider', body: { provider: 'openai', api_key: 'sk-matrix' } }),
  handleGetContacts: () => ({ method: 'get', path: '/api/v1/contacts' }),
  handleSearchContacts: () => ({ method: 'get', path: '/api/v1/contacts/search?query=matrix' }),
  handleGetContact: (_, __, v) => ({ method: 'get', path: `/api/v1/contacts/${v.contactId}` }),
  handleUpdateContact: (_, __, v) => ({ method: 'put', path: `/api/v1/contacts/${v.contactId}`, fields: { first_name: 'Renamed' } }),
  handleBlockContact: (_, __, v) => ({ method: 'put', path: `/api/v1/contacts/${v.contactId}/block`, body: { enabled: false } }),
  handleCreateContact: () => ({ method: 'post', path: '/api/v1/contacts', body: { first_name: 'Matrix', email: `${unique('created')}@example.com` } }),
  handleDeleteContact: async (f) => ({
    method: 'delete',
    path: `/api/v1/contacts/${(await f.call<{ id: number }>('post', '/api/v1/contacts', { first_name: 'Doomed', email: `${unique('doomed')}@example.com` })).id}`,
  }),
  handleExportContact: (_, __, v) => ({ method: 'get', path: `/api/v1/contacts/${v.contactId}/export` }),
  handleGetContactNotes: (_, __, v) => ({ method: 'get', path: `/api/v1/contacts/${v.contactId}/notes` }),
  handleCreateContactNote: (_, __, v) => ({ method: 'post', path: `/api/v1/contacts/${v.contactId}/notes`, body: { note: 'hello' } }),
  handleDeleteContactNote: async (f, c, v) => ({ method: 'delete', path: `/api/v1/contacts/${v.contactId}/notes/${await f.note(v.contactId, c.id)}` }),
  handleCreateConversation: (f) => ({
    method: 'post',
    path: '/api/v1/conversations',
    body: {
      inbox_id: f.inboxId,
      contact_email: `${unique('c')}@example.com`,
      first_name: 'A',
      last_name: 'B',
      subject: 'S',
      content: 'C',
      initiator: 'contact',
    },
  }),
  handleGetAllConversations: () => ({ method: 'get', path: '/api/v1/conversations/all' }),
  handleGetAssignedConversations: () => ({ method: 'get', path: '/api/v1/conversations/assigned' }),
  handleGetUnassignedConversations: () => ({ method: 'get', path: '/api/v1/conversations/unassigned' }),
  handleGetTeamUnassignedConversations: (f) => ({ method: 'get', path: `/api/v1/teams/${f.teamId}/conversations/unassigned` }),
  handleGetViewConversations: (f) => ({ method: 'get', path: `/api/v1/views/${f.sharedViewId}/conversations` }),
  handleSearchConversations: () => ({ method: 'get', path: '/api/v1/conversations/search?query=matrix' }),
  handleGetConversation: (_, __, v) => ({ method: 'get', path: `/api/v1/conversations/${v.uuid}` }),
  handleGetConversationParticipants: (_, __, v) => ({ method: 'get', path: `/api/v1/conversations/${v.uuid}/participants` }),
  handleUpdateUserAssignee: (_, c, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/assignee/user`, body: { assignee_id: c.id } }),
  handleRemoveUserAssignee: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/assignee/user/remove` }),
  handleUpdateTeamAssignee: (f, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/assignee/team`, body: { assignee_id: f.teamId } }),
  handleRemoveTeamAssignee: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/assignee/team/remove` }),
  handleUpdateConversationPriority: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/priority`, body: { priority: 'High' } }),
  handleUpdateConversationStatus: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/status`, body: { status: 'Resolved' } }),
  handleUpdateConversationAssigneeLastSeen: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/last-seen` }),
  handleUpdateConversationtags: (_, __, v) => ({ method: 'post', path: `/api/v1/conversations/${v.uuid}/tags`, body: { tags: ['vip'] } }),
  handleGetMessages: (_, __, v) => ({ method: 'get', path: `/api/v1/conversations/${v.uuid}/messages` }),
  handleGetMessage: async (f, __, v) => ({ method: 'get', path: `/api/v1/conversations/${v.uuid}/messages/${(await f.message(v.uuid)).uuid}` }),
  handleSendMessage: (_, __, v) => ({ method: 'post', path: `/api/v1/conversations/${v.uuid}/messages`, body: { message: 'Hello' } }),
  'handleSendMessage as contact': (_, __, v) => ({
    method: 'post',
    path: `/api/v1/conversations/${v.uuid}/messages`,
    body: { message: 'From the customer', sender_type: 'contact' },
  }),
  handleRetryMessage: async (f, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/messages/${await f.failedMessage(v.uuid)}/retry` }),
  handleSearchMessages: () => ({ method: 'get', path: '/api/v1/messages/search?query=matrix' }),
  handleMediaUpload: () => ({ method: 'post', path: '/api/v1/media', files: true }),
  'serveUpload with credentials': async (f) => ({ method: 'get', path: `/uploads/${(await f.media()).uuid}` }),
  'serveUpload signed URL': async (f) => ({ method: 'get', path: (await f.media()).url, anonymous: true }),
  handleGetPriorities: () => ({ method: 'get', path: '/api/v1/priorities' }),
  handleGetStatuses: () => ({ method: 'get', path: '/api/v1/statuses' }),
  handleCreateStatus: () => ({ method: 'post', path: '/api/v1/statuses', body: { name: unique('New status') } }),
  handleUpdateStatus: async (f) => ({ method: 'put', path: `/api/v1/statuses/${(await f.status()).id}`, body: { name: unique('Renamed') } }),
  handleDeleteStatus: async (f) => ({ method: 'delete', path: `/api/v1/statuses/${(await f.status()).id}` }),
  handleGetTeams: () => ({ method: 'get', path: '/api/v1/teams' }),
  handleCreateTeam: () => ({ method: 'post', path: '/api/v1/teams', body: { name: unique('New team') } }),
  handleGetTeam: (f) => ({ method: 'get', path: `/api/v1/teams/${f.teamId}` }),
  handleUpdateTeam: async (f) => ({ method: 'put', path: `/api/v1/teams/${(await f.team()).id}`, body: { name: unique('Renamed team') } }),
  handleDeleteTeam: async (f) => ({ method: 'delete', path: `/api/v1/teams/${(await f.team()).id}` }),
  handleGetInboxes: () => ({ method: 'get', path: '/api/v1/inboxes' }),
  handleCreateInbox: () => ({ method: 'post', path: '/api/v1/inboxes', body: { name: unique('New inbox'), from: `${unique('n')}@example.com` } }),
  handleGetInbox: (f) => ({ method: 'get', path: `/api/v1/inboxes/${f.inboxId}` }),
  handleUpdateInbox: async (f) => ({ method: 'put', path: `/api/v1/inboxes/${(await f.inbox()).id}`, body: { name: unique('Renamed inbox') } }),
  handleDeleteInbox: async (f) => ({ method: 'delete', path: `/api/v1/inboxes/${(await f.inbox()).id}` }),
  handleGetViews: () => ({ method: 'get', path: '/api/v1/views' }),
  handleCreateView: () => ({ method: 'post', path: '/api/v1/views', body: { name: unique('View') } }),
  'handleCreateView shared with all': () => ({ method: 'post', path: '/api/v1/views', body: { name: unique('Shared'), visibility: 'all' } }),
  handleGetView: (f) => ({ method: 'get', path: `/api/v1/views/${f.sharedViewId}` }),
  handleUpdateView: async (f, c) => ({ method: 'put', path: `/api/v1/views/${await f.ownView(c)}`, body: { name: unique('Renamed view') } }),
  handleDeleteView: async (f, c) => ({ method: 'delete', path: `/api/v1/views/${await f.ownView(c)}` }),
  handleGetTags: () => ({ method: 'get', path: '/api/v1/tags' }),
  handleCreateTag: () => ({ method: 'post', path: '/api/v1/tags', body: { name: unique('New tag') } }),
  handleUpdateTag: async (f) => ({ method: 'put', path: `/api/v1/tags/${(await f.tag()).id}`, body: { name: unique('Renamed tag') } }),
  handleDeleteTag: async (f) => ({ method: 'delete', path: `/api/v1/tags/${(await f.tag()).id}` }),
  handleGetRoles: () => ({ method: 'get', path: '/api/v1/roles' }),
  handleGetRole: async (f) => ({ method: 'get', path: `/api/v1/roles/${(await f.role()).id}` }),
  handleCreateRole: () => ({ method: 'post', path: '/api/v1/roles', body: { name: unique('New role'), permissions: ['messages:read'] } }),
  handleUpdateRole: async (f) => ({ method: 'put', path: `/api/v1/roles/${(await f.role()).id}`, body: { name: unique('Renamed role') } }),
  handleDeleteRole: async (f) => ({ method: 'delete', path: `/api/v1/roles/${(await f.role()).id}` }),
  handleGetEvents: () => ({ method: 'get', path: '/api/v1/events?wait=0' }),
  handleGetWebhooks: () => ({ method: 'get', path: '/api/v1/webhooks' }),
  handleCreateWebhook: () => ({ method: 'post', path: '/api/v1/webhooks', body: { name: unique('New hook'), url: 'http://127.0.0.1:9/new' } }),
  handleGetWebhook: async (f) => ({ method: 'get', path: `/api/v1/webhooks/${(await f.webhook()).id}` }),
  handleUpdateWebhook: async (f) => ({ method: 'put', path: `/api/v1/webhooks/${(await f.webhook()).id}`, body: { enabled: false } }),
  handleDeleteWebhook: async (f) => ({ method: 'delete', path: `/api/v1/webhooks/${(await f.webhook()).id}` }),
  handleGetWebhookDeliveries: async (f) => ({ method: 'get', path: `/api/v1/webhooks/${(await f.webhook()).id}/deliveries` }),
  handleGetCustomAttributes: () => ({ method: 'get', path: '/api/v1/custom-attributes?applies_to=conversation' }),
  handleCreateCustomAttribute: () => ({
    method: 'post',
    path: '/api/v1/custom-attributes',
    body: { name: 'New', applies_to: 'contact', key: unique('new_attr').replace(/-/g, '_'), data_type: 'number' },
  }),
  handleGetCustomAttribute: async (f) => ({ method: 'get', path: `/api/v1/custom-attributes/${(await f.customAttribute()).id}` }),
  handleUpdateCustomAttribute: async (f) => ({ method: 'put', path: `/api/v1/custom-attributes/${(await f.customAttribute()).id}`, body: { name: 'Renamed' } }),
  handleDeleteCustomAttribute: async (f) => ({ method: 'delete', path: `/api/v1/custom-attributes/${(await f.customAttribute()).id}` }),
  handleUpdateConversationCustomAttributes: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/custom-attributes`, body: {} }),
  handleUpdateContactCustomAttributes: (_, __, v) => ({ method: 'put', path: `/api/v1/conversations/${v.uuid}/contacts/custom-attributes`, body: {} }),
  handleToggleWebhook: async (f) => ({ method: 'put', path: `/api/v1/webhooks/${(await f.webhook()).id}/toggle` }),
  // Port 9 refuses at once: the call succeeds with `success: false`.
  handleTestWebhook: async (f) => ({ method: 'post', path: `/api/v1/webhooks/${(await f.webhook()).id}/test` }),
  handleGetWebhooksCompact: () => ({ method: 'get', path: '/api/v1/webhooks/compact' }),
  handleRedeliverWebhook: async (f) => {
    const hook = await f.webhook();
    return { method: 'post', path: `/api/v1/webhooks/${hook.id}/deliveries/${await f.delivery(hook.id)}/redeliver` };
  },
};

/** Sends a matrix request as `caller` and returns the status. */
export async function send(t: TestApp, req: Req, caller: Caller): Promise<{ status: number; body: any }> {
  let r = t.http[req.method](req.path);
  if (!req.anonymous) r = r.set('Authorization', caller.auth);
  if (req.files) r = r.attach('files', PNG, { filename: 'p.png', contentType: 'image/png' });
  if (req.fields) for (const [k, v] of Object.entries(req.fields)) r = r.field(k, v);
  if (req.body) r = r.send(req.body);
  const res = await r;
  return { status: res.status, body: res.body };
}
