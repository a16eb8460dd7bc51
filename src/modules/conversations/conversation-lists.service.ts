import { Injectable } from '@nestjs/common';
import { Permission } from '../../shared/auth/permissions.js';
import { hasPermission, type Principal } from '../../shared/auth/principal.js';
import { Forbidden, NotFound } from '../../shared/http/errors.js';
import {
  type CursorPageResults,
  type CursorSort,
  cursorPageResults,
  type ListRequest,
  parseSortedListRequest,
  type SortedListRequest,
  sortedCursorPageResults,
} from '../../shared/http/keyset.js';
import { type FilterNode, parseFilterParam, parseSort } from '../../shared/http/list-filters.js';
import { TeamsService } from '../teams/teams.service.js';
import { CONVERSATION_LIST_FIELDS, DEFAULT_CONVERSATION_SORT } from './conversation-list-fields.js';
import { type ConversationListFilter, type ConversationListQuery, ConversationListsRepository } from './conversation-lists.repository.js';
import { type ConversationListItem, toConversationListItem } from './conversations.mapper.js';
import { ViewsService } from './views/views.service.js';

type Query = Record<string, unknown>;

/** Conversation-list cursors are keyed by (last_message_at, id) and work on every conversation list. */
const CURSOR_KIND = 'c';
const CURSOR_KEY_TYPE = { date: 'timestamp', id: 'integer', text: 'text', tags: 'text' } as const;

/** `filters`, `order_by` and `order` of a list request; null when the list keeps its default (prepared) query. */
function customQuery(query: Query, filter: FilterNode | null): { list: ConversationListQuery; cursor: CursorSort | null } | null {
  const sort = parseSort(query, CONVERSATION_LIST_FIELDS, DEFAULT_CONVERSATION_SORT);
  if (!filter && !sort.custom) return null;
  const isDefault = sort.field === DEFAULT_CONVERSATION_SORT && sort.desc;
  const cursor = isDefault ? null : { tag: `${sort.field}:${sort.desc ? 'desc' : 'asc'}`, type: CURSOR_KEY_TYPE[sort.kind] };
  return { list: { filter, sort }, cursor };
}

/** The conversation lists; each route's guard has already checked its list permission. */
@Injectable()
export class ConversationLists {
  constructor(
    private readonly repo: ConversationListsRepository,
    private readonly teams: TeamsService,
    private readonly views: ViewsService,
  ) {}

  all(principal: Principal, query: Query) {
    return this.page(principal, query, { list: 'all' });
  }

  assigned(principal: Principal, query: Query) {
    return this.page(principal, query, { list: 'assigned', userId: principal.id });
  }

  unassigned(principal: Principal, query: Query) {
    return this.page(principal, query, { list: 'unassigned' });
  }

  /** A team's queue: for its members, or (DECISIONS.md) anyone holding conversations:read_all. */
  async teamUnassigned(principal: Principal, teamId: number, query: Query) {
    const custom = customQuery(query, parseFilterParam(query.filters, CONVERSATION_LIST_FIELDS));
    const page = parseSortedListRequest(query, CURSOR_KIND, custom?.cursor ?? null);
    if (!principal.teamIds.includes(teamId)) {
      if (!hasPermission(principal, Permission.ConversationsReadAll)) {
        throw new Forbidden("You're not a member of this team, Please refresh the page and try again");
      }
      if (!(await this.teams.findById(teamId))) throw new NotFound('Team not found');
    }
    return this.run(principal, page, { list: 'team_unassigned', teamId }, custom);
  }

  /**
   * A saved view's conditions, within what the caller may read. As upstream, the query's `filters` are
   * ignored (the view's apply); `order_by` and `order` work.
   */
  async view(principal: Principal, viewId: number, query: Query) {
    const stored = await this.views.filtersFor(principal, viewId);
    const custom = customQuery(query, stored.tree);
    const page = parseSortedListRequest(query, CURSOR_KIND, custom?.cursor ?? null);
    if (this.repo.readsNothing(principal)) throw new Forbidden('Permission denied');
    return this.run(principal, page, { list: 'view', principal, filters: stored.conditions }, custom);
  }

  private page(principal: Principal, query: Query, filter: ConversationListFilter) {
    const custom = customQuery(query, parseFilterParam(query.filters, CONVERSATION_LIST_FIELDS));
    return this.run(principal, parseSortedListRequest(query, CURSOR_KIND, custom?.cursor ?? null), filter, custom);
  }

  private async run(
    principal: Principal,
    request: SortedListRequest,
    filter: ConversationListFilter,
    custom: ReturnType<typeof customQuery>,
  ): Promise<CursorPageResults<ConversationListItem>> {
    if (custom) {
      const { rows, total } = await this.repo.listCustom(filter, custom.list, principal.id, request);
      return sortedCursorPageResults(CURSOR_KIND, custom.cursor, rows, total, request, toConversationListItem);
    }
    const plain: ListRequest = { ...request, after: request.after && { at: request.after.key as string, id: request.after.id } };
    const { rows, total } = await this.repo.list(filter, principal.id, plain);
    return cursorPageResults(CURSOR_KIND, rows, total, plain, toConversationListItem);
  }
}
