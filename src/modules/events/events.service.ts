import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../shared/auth/principal.js';
import { Gone, InvalidInput } from '../../shared/http/errors.js';
import { decodeCursor, encodeCursor } from './event-cursor.js';
import { EventSignal } from './event-signal.js';
import { type EventScope, type EventType, type FeedEvent, isEventType } from './event-types.js';
import { toFeedEvent } from './events.mapper.js';
import { EventsRepository } from './events.repository.js';

export type { EventScope, EventType } from './event-types.js';

/**
 * `record` for a writer that appends its event inside its own single statement (a data-modifying
 * CTE): `select` yields (type, payload jsonb, conversation id, assigned user id, assigned team id).
 */
export const recordEventSql = (select: string): string => `INSERT INTO events (type, payload, conversation_id, assigned_user_id, assigned_team_id) ${select}`;

export interface FeedRequest {
  /** Null: from the start of the (retained) log. */
  after: number | null;
  limit: number;
  waitMs: number;
}

export interface FeedPage {
  events: FeedEvent[];
  next: string;
}

/** Ids scanned per query, so a reader who may see few events still moves through the log in bounded steps. */
const SCAN_SPAN = 10_000;
const MAX_SCANS_PER_REQUEST = 20;

@Injectable()
export class EventsService {
  constructor(
    private readonly repo: EventsRepository,
    private readonly signal: EventSignal,
  ) {}

  /**
   * Appends an event to the log in the caller's transaction (use the `manager` of that transaction).
   * `scope` is the conversation's assignment at the time, which decides who may read conversation and
   * message events in the feed.
   */
  async record(manager: EntityManager, type: EventType, payload: object, scope: EventScope = {}): Promise<void> {
    if (!isEventType(type)) throw new Error(`Unknown event type ${String(type)}`);
    await this.repo.insert(manager, type, payload, scope);
  }

  /**
   * Resolves when new events may have been committed, or after `maxMs`. While the notification
   * listener is down it resolves after `notLivePollMs`, for the caller to look again.
   */
  waitForEvents(maxMs: number, notLivePollMs?: number): Promise<void> {
    return this.signal.wait(maxMs, notLivePollMs);
  }

  /** The feed for a query string: `after` (cursor), `limit` (1–500, default 100), `wait` (0–30 seconds). */
  async readFeed(principal: Principal, query: Record<string, unknown>): Promise<FeedPage> {
    return this.feed(principal, parseFeedQuery(query));
  }

  /**
   * The caller's events after the cursor, oldest first. With `waitMs`, an empty answer is held back
   * until a visible event commits or the time is up. `next` always moves past what was examined,
   * including events the caller may not see.
   */
  async feed(principal: Principal, request: FeedRequest): Promise<FeedPage> {
    const deadline = Date.now() + request.waitMs;
    let cursor = request.after ?? 0;
    for (let first = true; ; first = false) {
      const { events, next, caughtUp } = await this.scan(principal, cursor, request.limit);
      if (first && request.after !== null) await this.assertRetained(request.after);
      cursor = next;
      if (events.length > 0) return { events, next: encodeCursor(cursor) };
      if (caughtUp) {
        const left = deadline - Date.now();
        if (left <= 0 || this.signal.closing) return { events, next: encodeCursor(cursor) };
        await this.signal.wait(left);
      }
    }
  }

  /**
   * Gives ids to every event committed so far, so what the caller (or anyone) committed before this
   * call is visible to a read that follows. Call it outside a transaction.
   */
  numberCommitted(): Promise<number> {
    return this.repo.numberCommitted();
  }

  /**
   * Checked after the first read: pruning removes a prefix of the log, so if anything after the
   * cursor was gone before that read, what is pruned now reaches past the cursor.
   */
  private async assertRetained(cursor: number): Promise<void> {
    const through = await this.repo.prunedThrough();
    if (cursor < through) {
      throw new Gone(
        `Events after this cursor up to id ${through} were pruned (older than the retention period); resynchronise, then read the feed again without \`after\``,
      );
    }
  }

  /** The newest numbered event id (0 for an empty log); call `numberCommitted` first to count what has committed. */
  head(): Promise<number> {
    return this.repo.head();
  }

  private async scan(principal: Principal, after: number, limit: number): Promise<{ events: FeedEvent[]; next: number; caughtUp: boolean }> {
    await this.repo.numberCommitted();
    const events: FeedEvent[] = [];
    let cursor = after;
    for (let i = 0; i < MAX_SCANS_PER_REQUEST; i++) {
      const { head, rows } = await this.repo.window(principal, cursor, SCAN_SPAN, limit - events.length);
      events.push(...rows.map(toFeedEvent));
      if (events.length >= limit) return { events, next: events[events.length - 1].id, caughtUp: false };
      cursor = Math.max(cursor, Math.min(cursor + SCAN_SPAN, head));
      if (cursor >= head) return { events, next: cursor, caughtUp: true };
    }
    return { events, next: cursor, caughtUp: false };
  }
}

function parseFeedQuery(query: Record<string, unknown>): FeedRequest {
  return {
    after: query.after === undefined || query.after === '' ? null : decodeCursor(query.after),
    limit: intParam(query.limit, 'limit', 1, 500, 100),
    waitMs: intParam(query.wait, 'wait', 0, 30, 0) * 1000,
  };
}

function intParam(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidInput(`\`${name}\` must be an integer from ${min} to ${max}`, { fields: { [name]: `must be an integer from ${min} to ${max}` } });
  }
  return Number(value);
}
