import { contractOperations, loadContract } from '../../src/shared/openapi/contract.js';
import { ALL_PERMISSIONS, Permission as P } from '../../src/shared/auth/permissions.js';
import { startOpenAiStub } from '../support/fuzz/openai-stub.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CALLS, Fixtures, send, type Caller } from './permission-matrix.calls.js';

/**
 * Who may call what: every contract operation and every extension endpoint, called by
 *   Admin    the seeded Admin role (it also has messages:write_as_contact: DECISIONS.md)
 *   Agent    the seeded Agent role
 *   One      a custom role with exactly the permission the guard names (§3.2); none for `auth`
 *   Min      the least a caller needs: that permission plus, for a conversation, conversations:read
 *            and read_assigned on a conversation assigned to itself (§3.3 rule 3)
 *   Min·oth  the Min role on a conversation assigned to another agent (§3.3: denied)
 *   AllBut   every permission except the guard's (so the guard, not luck, decides)
 *   Disabled an Admin whose account was disabled     → 401
 *   Revoked  an Admin whose API key was revoked       → 401
 * `ok` is 200; `403` is PermissionException; `401` is UnauthorizedException; `·` is not applicable.
 * Every caller except Disabled/Revoked is a member of the team the team queue is read from.
 */
type E = 'ok' | '403' | '401' | '·';
const O: E = 'ok';
const D: E = '403';
const _: E = '·';
const AUTH = 'auth';
const PUBLIC = 'public';

interface Row {
  name: string;
  guard: string;
  /** Permissions the Min role holds besides the guard's. */
  plus: string[];
  admin: E;
  agent: E;
  one: E;
  minOther: E;
  allBut: E;
}

const ACCESS = [P.ConversationsRead, P.ConversationsReadAssigned];
const row = (
  name: string,
  guard: string,
  admin: E,
  agent: E,
  one: E,
  minOther: E = _,
  allBut: E = guard === AUTH || guard === PUBLIC ? O : D,
  plus: string[] = [],
): Row => ({
  name,
  guard,
  plus: minOther === _ ? plus : [...ACCESS, ...plus],
  admin,
  agent,
  one,
  minOther,
  allBut,
});
const conv = (name: string, guard: string, agent: E = O, plus: string[] = []) => row(name, guard, O, agent, D, D, D, plus);

// prettier-ignore
const MATRIX: Row[] = [
  //  case                                       guard (§3.2)                       Admin Agent One  Min·oth
  row('handleHealthCheck',                        PUBLIC,                             O,    O,    O),
  row('handleGetAgents',                          P.UsersManage,                      O,    D,    O),
  row('handleCreateAgent',                        P.UsersManage,                      O,    D,    O),
  row('handleGetCurrentAgent',                    AUTH,                               O,    O,    O),
  row('handleUpdateAgentAvailability',            AUTH,                               O,    O,    O),
  row('handleGetAgent',                           P.UsersManage,                      O,    D,    O),
  row('handleUpdateAgent',                        P.UsersManage,                      O,    D,    O),
  row('handleDeleteAgent',                        P.UsersManage,                      O,    D,    O),
  row('handleGenerateAPIKey',                     P.UsersManage,                      O,    D,    O),
  row('handleRevokeAPIKey',                       P.UsersManage,                      O,    D,    O),
  row('handleAICompletion',                       AUTH,                               O,    O,    O),
  row('handleGetAIPrompts',                       AUTH,                               O,    O,    O),
  row('handleUpdateAIProvider',                   P.AiManage,                         O,    D,    O),
  row('handleGetContacts',                        P.ContactsReadAll,                  O,    D,    O),
  row('handleSearchContacts',                     P.ContactsRead,                     O,    D,    O),
  row('handleGetContact',                         P.ContactsRead,                     O,    D,    O),
  row('handleUpdateContact',                      P.ContactsWrite,                    O,    D,    O),
  row('handleBlockContact',                       P.ContactsBlock,                    O,    D,    O),
  row('handleCreateContact',                      P.ContactsWrite,                    O,    D,    O),
  row('handleDeleteContact',                      P.ContactsDelete,                   O,    D,    O),
  row('handleExportContact',                      P.ContactsExport,                   O,    D,    O),
  row('handleGetContactNotes',                    P.ContactNotesRead,                 O,    D,    O),
  row('handleCreateContactNote',                  P.ContactNotesWrite,                O,    D,    O),
  row('handleDeleteContactNote',                  P.ContactNotesDelete,               O,    D,    O),  // own note; another's: below
  row('handleCreateConversation',                 P.ConversationsWrite,               O,    D,    O),
  row('handleGetAllConversations',                P.ConversationsReadAll,             O,    O,    O),
  row('handleGetAssignedConversations',           P.ConversationsReadAssigned,        O,    O,    O),
  row('handleGetUnassignedConversations',         P.ConversationsReadUnassigned,      O,    O,    O),
  row('handleGetTeamUnassignedConversations',     P.ConversationsReadTeamInbox,       O,    O,    O),  // as a member; non-members: below
  row('handleGetViewConversations',               P.ConversationsRead,                O,    O,    D, _, D, [P.ConversationsReadAssigned]),  // a view shared with all; §5.7: no list scope is 403
  row('handleSearchConversations',                P.ConversationsRead,                O,    O,    O),
  conv('handleGetConversation',                   P.ConversationsRead),
  conv('handleGetConversationParticipants',       P.ConversationsRead),
  conv('handleUpdateUserAssignee',                P.ConversationsUpdateUserAssignee),
  conv('handleRemoveUserAssignee',                P.ConversationsUpdateUserAssignee),
  conv('handleUpdateTeamAssignee',                P.ConversationsUpdateTeamAssignee),
  conv('handleRemoveTeamAssignee',                P.ConversationsUpdateTeamAssignee),
  conv('handleUpdateConversationPriority',        P.ConversationsUpdatePriority),
  conv('handleUpdateConversationStatus',          P.ConversationsUpdateStatus),
  conv('handleUpdateConversationAssigneeLastSeen', P.ConversationsRead),
  conv('handleUpdateConversationtags',            P.ConversationsUpdateTags),
  conv('handleGetMessages',                       P.MessagesRead),
  conv('handleGetMessage',                        P.MessagesRead),
  conv('handleSendMessage',                       P.MessagesWrite),
  conv('handleSendMessage as contact',            P.MessagesWrite, D, [P.MessagesWriteAsContact]),
  conv('handleRetryMessage',                      P.MessagesWrite),
  row('handleSearchMessages',                     P.MessagesRead,                     O,    O,    O),
  row('handleMediaUpload',                        AUTH,                               O,    O,    O),
  row('serveUpload with credentials',             AUTH,                               O,    O,    O),
  row('serveUpload signed URL',                   PUBLIC,                             O,    O,    O),
  row('handleGetPriorities',                      AUTH,                               O,    O,    O),
  row('handleGetStatuses',                        AUTH,                               O,    O,    O),
  row('handleCreateStatus',                       P.StatusManage,                     O,    D,    O),
  row('handleUpdateStatus',                       P.StatusManage,                     O,    D,    O),
  row('handleDeleteStatus',                       P.StatusManage,                     O,    D,    O),
  row('handleGetTeams',                           P.TeamsManage,                      O,    D,    O),
  row('handleCreateTeam',                         P.TeamsManage,                      O,    D,    O),
  row('handleGetTeam',                            P.TeamsManage,                      O,    D,    O),
  row('handleUpdateTeam',                         P.TeamsManage,                      O,    D,    O),
  row('handleDeleteTeam',                         P.TeamsManage,                      O,    D,    O),
  // extension endpoints
  row('handleGetInboxes',                         P.InboxesManage,                    O,    D,    O),
  row('handleCreateInbox',                        P.InboxesManage,                    O,    D,    O),
  row('handleGetInbox',                           P.InboxesManage,                    O,    D,    O),
  row('handleUpdateInbox',                        P.InboxesManage,                    O,    D,    O),
  row('handleDeleteInbox',                        P.InboxesManage,                    O,    D,    O),
  row('handleGetViews',                           P.ViewManage,                       O,    O,    O),
  row('handleCreateView',                         P.ViewManage,                       O,    O,    O),
  row('handleCreateView shared with all',         P.ViewManage,                       O,    D,    D, _, D, [P.SharedViewsManage]),
  row('handleGetView',                            P.ViewManage,                       O,    O,    O),
  row('handleUpdateView',                         P.ViewManage,                       O,    O,    O),  // its own view
  row('handleDeleteView',                         P.ViewManage,                       O,    O,    O),  // its own view
  row('handleGetEvents',                          AUTH,                               O,    O,    O),
  row('handleGetTags',                            AUTH,                               O,    O,    O),
  row('handleCreateTag',                          P.TagsManage,                       O,    D,    O),
  row('handleUpdateTag',                          P.TagsManage,                       O,    D,    O),
  row('handleDeleteTag',                          P.TagsManage,                       O,    D,    O),
  row('handleGetRoles',                           AUTH,                               O,    O,    O),
  row('handleGetRole',                            P.RolesManage,                      O,    D,    O),
  row('handleCreateRole',                         P.RolesManage,                      O,    D,    O),
  row('handleUpdateRole',                         P.RolesManage,                      O,    D,    O),
  row('handleDeleteRole',                         P.RolesManage,                      O,    D,    O),
  row('handleGetWebhooks',                        P.WebhooksManage,                   O,    D,    O),
  row('handleCreateWebhook',                      P.WebhooksManage,                   O,    D,    O),
  row('handleGetWebhook',                         P.WebhooksManage,                   O,    D,    O),
  row('handleUpdateWebhook',                      P.WebhooksManage,                   O,    D,    O),
  row('handleDeleteWebhook',                      P.WebhooksManage,                   O,    D,    O),
  row('handleGetWebhookDeliveries',               P.WebhooksManage,                   O,    D,    O),
  row('handleRedeliverWebhook',                   P.WebhooksManage,                   O,    D,    O),
  row('handleGetCustomAttributes',                AUTH,                               O,    O,    O),
  row('handleCreateCustomAttribute',              P.CustomAttributesManage,           O,    D,    O),
  row('handleGetCustomAttribute',                 P.CustomAttributesManage,           O,    D,    O),
  row('handleUpdateCustomAttribute',              P.CustomAttributesManage,           O,    D,    O),
  row('handleDeleteCustomAttribute',              P.CustomAttributesManage,           O,    D,    O),
  row('handleUpdateConversationCustomAttributes', AUTH,                               O,    O,    D,    D,    O),  // any agent with access (upstream)
  row('handleUpdateContactCustomAttributes',      AUTH,                               O,    O,    D,    D,    O),
  row('handleToggleWebhook',                      P.WebhooksManage,                   O,    D,    O),
  row('handleTestWebhook',                        P.WebhooksManage,                   O,    D,    O),
  row('handleGetWebhooksCompact',                 AUTH,                               O,    O,    O),
];

const COLUMNS = ['admin', 'agent', 'one', 'min', 'minOther', 'allBut', 'disabled', 'revoked'] as const;
type Column = (typeof COLUMNS)[number];

function expected(r: Row, column: Column): E {
  if (column === 'disabled' || column === 'revoked') return r.guard === PUBLIC ? O : '401';
  if (column === 'min') return r.plus.length || r.minOther !== _ ? O : _;
  return r[column];
}

function render(results: Map<string, Partial<Record<Column, string>>>): string {
  const head = ['case', ...COLUMNS].map((c, i) => (i === 0 ? c.padEnd(44) : c.padEnd(9))).join('');
  const lines = MATRIX.filter((r) => results.has(r.name)).map((r) => {
    const got = results.get(r.name) ?? {};
    const cells = COLUMNS.map((c) => {
      const want = expected(r, c);
      const actual = got[c] ?? '?';
      return (want === _ ? _ : actual === want ? want : `${actual}≠${want}`).padEnd(9);
    });
    return `${r.name.padEnd(44)}${cells.join('')}`;
  });
  return [head, ...lines].join('\n');
}

let t: TestApp;
let f: Fixtures;
let stub: Awaited<ReturnType<typeof startOpenAiStub>>;
const results = new Map<string, Partial<Record<Column, string>>>();
const failedRows = new Set<string>();
let agentCaller: Caller;
let disabled: Caller;
let revoked: Caller;
let other: Caller;

beforeAll(async () => {
  stub = await startOpenAiStub();
  t = await startTestApp({
    RATE_LIMIT_ENABLED: 'false',
    MAIL_WORKER_ENABLED: 'false',
    WEBHOOK_WORKER_ENABLED: 'false',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    INBOX_EMAIL: 'Support <support@example.com>',
    OPENAI_BASE_URL: stub.url,
  });
  f = new Fixtures(t);
  await f.setUp();
  await f.call('put', `/api/v1/agents/${t.admin.id}`, { teams: [String(f.teamId)] });
  agentCaller = await f.agentWith(['Agent'], [f.teamId]);
  other = await f.agentWith(['Agent'], []);
  disabled = await f.agentWith(['Admin'], []);
  await f.call('put', `/api/v1/agents/${disabled.id}`, { enabled: false });
  revoked = await f.agentWith(['Admin'], []);
  await f.call('delete', `/api/v1/agents/${revoked.id}/api-key`);
}, 120_000);

afterAll(async () => {
  if (failedRows.size) console.log(`Permission matrix (actual≠expected where they differ):\n${render(results)}`);
  await t?.close();
  await stub?.close();
});

describe('the permission matrix', () => {
  test('lists every contract operation and every extension endpoint', async () => {
    const cases = new Set(MATRIX.map((r) => r.name.split(' ')[0]));
    for (const operationId of contractOperations(loadContract()).keys()) expect(cases, operationId).toContain(operationId);
    const doc = (await t.http.get('/docs-json')).body as { paths: Record<string, Record<string, { operationId?: string }>> };
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item)) if (op.operationId) expect(cases, op.operationId).toContain(op.operationId);
    for (const r of MATRIX) expect(CALLS[r.name], r.name).toBeTypeOf('function');
  });

  test.each(MATRIX.map((r) => [r.name, r] as const))('%s', async (name, r) => {
    const callers: Record<Column, () => Promise<Caller>> = {
      admin: async () => ({ id: t.admin.id, auth: t.token(t.admin) }),
      agent: async () => agentCaller,
      one: () => f.withPermissions(r.guard === AUTH || r.guard === PUBLIC ? [] : [r.guard]),
      min: () => f.withPermissions([...(r.guard === AUTH || r.guard === PUBLIC ? [] : [r.guard]), ...r.plus]),
      minOther: () => f.withPermissions([r.guard, ...r.plus]),
      allBut: () => f.withPermissions(ALL_PERMISSIONS.filter((p) => p !== r.guard)),
      disabled: async () => disabled,
      revoked: async () => revoked,
    };
    const scoped = r.minOther !== _;
    let shared: { uuid: string; contactId: number } | undefined;
    const got: Partial<Record<Column, string>> = {};
    const detail: string[] = [];
    for (const column of COLUMNS) {
      const want = expected(r, column);
      if (want === _) continue;
      const caller = await callers[column]();
      const owner = column === 'minOther' ? other.id : column === 'disabled' || column === 'revoked' ? null : caller.id;
      const target = scoped ? await f.conversation(owner) : (shared ??= await f.conversation());
      const req = await CALLS[name](f, caller, target);
      const res = await send(t, req, caller);
      const outcome = res.status === 200 ? O : String(res.status);
      got[column] = outcome;
      const typeOk = want !== D || res.body?.error_type === 'PermissionException';
      if (outcome !== want || !typeOk)
        detail.push(`  ${column}: ${req.method.toUpperCase()} ${req.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    results.set(name, got);
    if (detail.length) failedRows.add(name);
    if (detail.length) throw new Error(`${render(new Map([[name, got]]))}\n${detail.join('\n')}`);
  });
});

/** §3.3 in order, on one conversation-scoped read and one message read. `mine` is a team the caller belongs to. */
// prettier-ignore
const ACCESS_RULES: Array<[rule: string, permissions: string[], user: 'self' | 'other' | null, team: 'mine' | 'theirs' | null, want: E]> = [
  ['1 no conversations:read, even with read_all',  [P.ConversationsReadAll],                          'self',  'mine',   D],
  ['2 read_all: anything',                         [P.ConversationsRead, P.ConversationsReadAll],     'other', 'theirs', O],
  ['3 read_assigned: assigned to me',              [P.ConversationsRead, P.ConversationsReadAssigned], 'self', null,     O],
  ['3 read_assigned: assigned to another agent',   [P.ConversationsRead, P.ConversationsReadAssigned], 'other', null,    D],
  ['3 read_assigned: unassigned',                  [P.ConversationsRead, P.ConversationsReadAssigned], null,   null,     D],
  ['4 read_team_all: my team, another agent',      [P.ConversationsRead, P.ConversationsReadTeamAll], 'other', 'mine',   O],
  ['4 read_team_all: another team',                [P.ConversationsRead, P.ConversationsReadTeamAll], null,    'theirs', D],
  ['5 read_team_inbox: my team, no agent',         [P.ConversationsRead, P.ConversationsReadTeamInbox], null,  'mine',   O],
  ['5 read_team_inbox: my team, with an agent',    [P.ConversationsRead, P.ConversationsReadTeamInbox], 'other', 'mine', D],
  ['5 read_team_inbox: another team, no agent',    [P.ConversationsRead, P.ConversationsReadTeamInbox], null,  'theirs', D],
  ['6 read_unassigned: no agent, no team',         [P.ConversationsRead, P.ConversationsReadUnassigned], null, null,     O],
  ['6 read_unassigned: a team, no agent',          [P.ConversationsRead, P.ConversationsReadUnassigned], null, 'mine',   D],
  ['6 read_unassigned: an agent, no team',         [P.ConversationsRead, P.ConversationsReadUnassigned], 'other', null,  D],
  ['7 conversations:read alone',                   [P.ConversationsRead],                              'self', 'mine',   D],
];

describe('conversation access, §3.3', () => {
  let theirs: number;
  beforeAll(async () => {
    theirs = (await f.team()).id;
  });

  test.each(ACCESS_RULES)('rule %s', async (_rule, permissions, user, team, want) => {
    const caller = await f.withPermissions([...permissions, P.MessagesRead]);
    const { uuid } = await f.conversation();
    await f.assign(uuid, user === 'self' ? caller.id : user === 'other' ? other.id : null, team === 'mine' ? f.teamId : team === 'theirs' ? theirs : null);
    const state = await f.call('get', `/api/v1/conversations/${uuid}`);
    expect([state.assigned_user_id, state.assigned_team_id]).toEqual([
      user === 'self' ? caller.id : user === 'other' ? other.id : null,
      team === 'mine' ? f.teamId : team === 'theirs' ? theirs : null,
    ]);
    for (const path of [`/api/v1/conversations/${uuid}`, `/api/v1/conversations/${uuid}/messages`]) {
      const res = await t.http.get(path).set('Authorization', caller.auth);
      expect(res.status === 200 ? O : String(res.status), path).toBe(want);
      if (want === D) expect(res.body.error_type).toBe('PermissionException');
    }
  });

  test('lists and search show only what the caller may read', async () => {
    const caller = await f.withPermissions([P.ConversationsRead, P.ConversationsReadAssigned, P.MessagesRead]);
    const mine = await f.conversation(caller.id);
    const theirsConv = await f.conversation(other.id);
    const assigned = await t.http.get('/api/v1/conversations/assigned?page_size=100').set('Authorization', caller.auth).expect(200);
    const uuids = assigned.body.data.results.map((c: { uuid: string }) => c.uuid);
    expect(uuids).toContain(mine.uuid);
    expect(uuids).not.toContain(theirsConv.uuid);
    const search = await t.http.get('/api/v1/conversations/search?query=matrix').set('Authorization', caller.auth).expect(200);
    const found = search.body.data.map((c: { uuid: string }) => c.uuid);
    expect(found).not.toContain(theirsConv.uuid);
  });
});

describe('access rules beyond the guard', () => {
  test('a team queue needs membership, except for read_all (DECISIONS.md)', async () => {
    const teamInboxOnly = await f.withPermissions([P.ConversationsReadTeamInbox], []);
    const queue = `/api/v1/teams/${f.teamId}/conversations/unassigned`;
    const denied = await t.http.get(queue).set('Authorization', teamInboxOnly.auth);
    expect(denied.status).toBe(403);
    expect(denied.body.error_type).toBe('PermissionException');
    await t.http.get(queue).set('Authorization', other.auth).expect(200);
    await t.http
      .get(queue)
      .set('Authorization', (await f.withPermissions([P.ConversationsReadTeamInbox])).auth)
      .expect(200);
  });

  test("a non-Admin deletes only its own contact notes; an Admin deletes anyone's", async () => {
    const { contactId } = await f.conversation();
    const deleter = await f.withPermissions([P.ContactNotesDelete]);
    const foreign = await f.note(contactId, t.admin.id);
    const denied = await t.http.delete(`/api/v1/contacts/${contactId}/notes/${foreign}`).set('Authorization', deleter.auth);
    expect(denied.status).toBe(403);
    expect(denied.body.error_type).toBe('PermissionException');
    await t.http
      .delete(`/api/v1/contacts/${contactId}/notes/${await f.note(contactId, deleter.id)}`)
      .set('Authorization', deleter.auth)
      .expect(200);
    await t.http
      .delete(`/api/v1/contacts/${contactId}/notes/${await f.note(contactId, deleter.id)}`)
      .set('Authorization', t.token(t.admin))
      .expect(200);
  });

  test("a private view is its owner's; a team view is its members'", async () => {
    const owner = await f.withPermissions([P.ViewManage, P.ConversationsRead, P.ConversationsReadAll]);
    const mine = await t.http.post('/api/v1/views').set('Authorization', owner.auth).send({ name: 'Private' }).expect(200);
    const team = await f.call('post', '/api/v1/views', { name: 'Team view', visibility: 'team', team_id: f.teamId });
    for (const path of [`/api/v1/views/${mine.body.data.id}`, `/api/v1/views/${mine.body.data.id}/conversations`, `/api/v1/views/${team.id}`]) {
      const res = await t.http.get(path).set('Authorization', other.auth);
      expect(res.status, path).toBe(403);
      expect(res.body.error_type).toBe('PermissionException');
    }
    await t.http.get(`/api/v1/views/${team.id}/conversations`).set('Authorization', agentCaller.auth).expect(200);
  });

  test('disabled and revoked callers are refused even on routes any agent may use', async () => {
    for (const caller of [disabled, revoked]) {
      const res = await t.http.get('/api/v1/agents/me').set('Authorization', caller.auth);
      expect(res.status).toBe(401);
      expect(res.body.error_type).toBe('UnauthorizedException');
    }
  });
});
