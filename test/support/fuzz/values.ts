import type { FuzzOperation, ParamSpec, Schema } from './operations.js';
import type { Rng } from './rng.js';
import type { Pools } from './world.js';

export interface Callers {
  adminId: number;
  agentId: number;
}

export interface ValueContext {
  rng: Rng;
  pools: Pools;
  callers: Callers;
  op: FuzzOperation;
}

const DEFAULT_STATUSES = ['Open', 'Resolved', 'Closed', 'Snoozed'];

/** Picks from a pool, or a number that names nothing when the pool is empty. */
function from<T>(ctx: ValueContext, list: readonly T[], missing: T): T {
  return list.length && ctx.rng.chance(0.9) ? ctx.rng.pick(list) : missing;
}

const missingId = (ctx: ValueContext) => 2_000_000_000 + ctx.rng.int(0, 100_000);

export function randomUuid(ctx: { rng: Rng }): string {
  const h = ctx.rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const agentId = (ctx: ValueContext) => from(ctx, [...ctx.pools.agents, ctx.callers.agentId, ctx.callers.adminId], missingId(ctx));
const teamId = (ctx: ValueContext) =>
  from(
    ctx,
    ctx.pools.teams.map((t) => t.id),
    missingId(ctx),
  );

/**
 * Values a handler accepts for a field, by name: real ids from the pools, working emails, enum
 * members. Without these most requests would stop at the first lookup and never reach deep code.
 */
const HINTS: Record<string, (ctx: ValueContext) => unknown> = {
  inbox_id: (ctx) => from(ctx, ctx.pools.inboxes, missingId(ctx)),
  team_id: teamId,
  agent_id: agentId,
  assignee_id: (ctx) => (ctx.op.operationId === 'handleUpdateTeamAssignee' ? teamId(ctx) : agentId(ctx)),
  attachments: (ctx) => (ctx.pools.media.length ? [ctx.rng.pick(ctx.pools.media).id] : []),
  contact_email: (ctx) => `fuzz-${ctx.rng.hex(10)}@example.com`,
  email: (ctx) => `fuzz-${ctx.rng.hex(10)}@example.com`,
  roles: (ctx) => [ctx.rng.pick(['Agent', 'Agent', 'Admin'])],
  teams: (ctx) => (ctx.pools.teams.length ? [ctx.rng.chance(0.5) ? ctx.rng.pick(ctx.pools.teams).name : String(ctx.rng.pick(ctx.pools.teams).id)] : []),
  status: (ctx) =>
    ctx.op.operationId === 'handleUpdateAgentAvailability'
      ? ctx.rng.pick(['available', 'busy', 'away', 'offline'])
      : ctx.rng.pick([...DEFAULT_STATUSES, ...ctx.pools.statuses.map((s) => s.name)]),
  snoozed_until: (ctx) => ctx.rng.pick(['30m', '2h', '3d']),
  tags: (ctx) => ctx.rng.pick([['vip'], ['billing', 'vip'], [`fuzz-${ctx.rng.hex(4)}`], []]),
  url: (ctx) => `http://127.0.0.1:9/hooks/${ctx.rng.hex(6)}`,
  from: (ctx) => `Fuzz <fuzz-${ctx.rng.hex(6)}@example.com>`,
  events: (ctx) => ctx.rng.pick([['*'], ['conversation.created', 'message.created']]),
  secret: (ctx) => `whsec_${ctx.rng.hex(40)}`,
  prompt_key: (ctx) => from(ctx, ctx.pools.promptKeys, 'no_such_prompt'),
  provider: () => 'openai',
  api_key: (ctx) => `sk-fuzz-${ctx.rng.hex(24)}`,
  name: (ctx) => `Fuzz ${ctx.rng.hex(8)}`,
  to: (ctx) => [`to-${ctx.rng.hex(4)}@example.com`],
  cc: (ctx) => (ctx.rng.chance(0.5) ? [] : [`cc-${ctx.rng.hex(4)}@example.com`]),
  bcc: () => [],
  sender_type: (ctx) => (ctx.rng.chance(0.85) ? 'agent' : 'contact'),
  message: () => '<p>Hello <b>there</b></p>',
  content: () => '<p>Where is my order?</p>',
  note: () => 'A note from the fuzzer',
  subject: () => 'Fuzzed subject',
  first_name: () => 'Fuzz',
  last_name: () => 'Person',
  phone_number: () => '+1 555 0100',
  phone_number_country_code: () => 'US',
  avatar_url: (ctx) => (ctx.pools.media.length && ctx.rng.chance(0.5) ? ctx.rng.pick(ctx.pools.media).url.split('?')[0] : null),
  host: () => '127.0.0.1',
  port: (ctx) => ctx.rng.pick([25, 465, 587, 2525]),
  username: () => 'fuzz',
  password: () => 'fuzz-password',
  timezone: (ctx) => ctx.rng.pick(['Europe/Berlin', 'UTC', 'America/Toronto']),
  emoji: () => '🙂',
  conversation_assignment_type: (ctx) => ctx.rng.pick(['Manual', 'Round robin']),
  max_auto_assigned_conversations: (ctx) => ctx.rng.int(0, 20),
  business_hours_id: () => null,
  sla_policy_id: () => null,
  new_password: () => 'Fuzz-password-123!',
  enabled: (ctx) => ctx.rng.chance(0.85),
  private: (ctx) => ctx.rng.chance(0.3),
  status_id: (ctx) =>
    from(
      ctx,
      ctx.pools.statuses.map((s) => s.id),
      1,
    ),
  priority_id: (ctx) => ctx.rng.int(1, 4),
  assigned_user_id: agentId,
  assigned_team_id: teamId,
  visibility: (ctx) => ctx.rng.pick(['user', 'user', 'all', 'team']),
  text: () => 'Fuzz',
  initiator: (ctx) => ctx.rng.pick(['agent', 'contact']),
  inline: (ctx) => ctx.rng.pick(['true', 'false']),
  linked_model: () => 'messages',
};

/** A value the schema (and, through the hints, the handler) accepts. */
export function validValue(ctx: ValueContext, schema: Schema, name = '', depth = 0): unknown {
  const hint = HINTS[name];
  if (hint && !(name === 'text' && schema.type === 'object')) return hint(ctx);
  if (schema.enum?.length) return ctx.rng.pick(schema.enum.filter((e) => e !== null));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || schema.properties) return validObject(ctx, schema, depth + 1);
  switch (type) {
    case 'integer':
      return ctx.rng.int(Math.max(schema.minimum ?? 1, 1), Math.min(schema.maximum ?? 100, 100));
    case 'number':
      return ctx.rng.int(Math.max(schema.minimum ?? 1, 1), Math.min(schema.maximum ?? 100, 100));
    case 'boolean':
      return ctx.rng.chance(0.5);
    case 'array':
      return depth > 4 ? [] : Array.from({ length: ctx.rng.int(0, 2) }, () => validValue(ctx, schema.items ?? { type: 'string' }, '', depth + 1));
    default:
      if (schema.format === 'email') return `fuzz-${ctx.rng.hex(8)}@example.com`;
      if (schema.format === 'uuid') return randomUuid(ctx);
      return `fuzz ${ctx.rng.hex(6)}`;
  }
}

/** Every required property, and each optional one half of the time. */
export function validObject(ctx: ValueContext, schema: Schema, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 4) return out;
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.format === 'binary') continue;
    if (required.has(name) || ctx.rng.chance(0.5)) out[name] = validValue(ctx, prop, name, depth);
  }
  if (ctx.op.operationId === 'handleUpdateConversationStatus' && out.status === 'Snoozed') out.snoozed_until ??= '1h';
  if (out.visibility === 'team') out.team_id = teamId(ctx);
  else if ('visibility' in out) delete out.team_id;
  return out;
}

/** A valid query-string value for a declared parameter (unencoded). */
export function validQueryValue(ctx: ValueContext, p: ParamSpec): string | string[] {
  switch (p.name) {
    case 'page':
      return String(ctx.rng.int(1, 3));
    case 'page_size':
      return String(ctx.rng.pick([1, 10, 30, 100]));
    case 'query':
      return ctx.rng.pick(['Fuzz', 'fuzz', 'example.com', 'Hello', 'order', '100']);
    case 'wait':
      return '0';
    case 'limit':
      return String(ctx.rng.int(1, 500));
    case 'after':
      return ctx.rng.hex(12);
    case 'type':
      return ctx.rng.shuffle(['incoming', 'outgoing', 'activity']).slice(0, ctx.rng.int(1, 2));
    case 'private':
      return String(ctx.rng.chance(0.5));
  }
  const v = validValue(ctx, p.schema, p.name);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Real resources for the path parameters, or well-formed ids of nothing (one time in ten). */
export function validPathParams(ctx: ValueContext): Record<string, string> {
  const { op, pools, rng } = ctx;
  const out: Record<string, string> = {};
  const segments = op.path.split('/');
  const real = rng.chance(0.9);
  const messages = op.path.endsWith('/retry') && pools.bounced.length && rng.chance(0.7) ? pools.bounced : pools.messages;
  const message = real && messages.length ? rng.pick(messages) : undefined;
  const note = real && pools.notes.length ? rng.pick(pools.notes) : undefined;
  const delivery = real && pools.deliveries.length ? rng.pick(pools.deliveries) : undefined;
  for (const p of op.pathParams) {
    const before = segments[segments.indexOf(`{${p.name}}`) - 1];
    const some = <T>(list: readonly T[]) => (real && list.length ? rng.pick(list) : undefined);
    let value: string | number | undefined;
    if (p.name === 'cuuid') value = message?.conversation ?? some(pools.conversations);
    else if (p.name === 'uuid' && before === 'messages') value = message?.uuid;
    else if (p.name === 'uuid' && before === 'conversations') value = some(pools.conversations);
    else if (p.name === 'uuid' && before === 'uploads') value = some(pools.media)?.uuid;
    else if (p.name === 'note_id') value = note?.id;
    else if (p.name === 'deliveryId') value = delivery?.id;
    else if (before === 'contacts') value = op.path.includes('{note_id}') ? note?.contactId : some(pools.contacts);
    else if (before === 'webhooks') value = op.path.includes('{deliveryId}') ? delivery?.webhookId : some(pools.webhooks);
    else if (before === 'agents') value = some(pools.agents);
    else if (before === 'teams') value = some(pools.teams)?.id;
    else if (before === 'statuses') value = some(pools.statuses)?.id;
    else if (before === 'inboxes') value = some(pools.inboxes);
    else if (before === 'views') value = some(pools.views);
    out[p.name] = String(value ?? (p.name.includes('uuid') || p.name === 'cuuid' ? randomUuid(ctx) : missingId(ctx)));
  }
  return out;
}
