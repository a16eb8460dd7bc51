import { Injectable } from '@nestjs/common';
import { Permission } from '../../shared/auth/permissions.js';
import { hasPermission, type Principal } from '../../shared/auth/principal.js';
import { Forbidden, NotFound } from '../../shared/http/errors.js';
import { type CursorPageResults, cursorPageResults, type ListRequest, parseListRequest } from '../../shared/http/keyset.js';
import { TeamsService } from '../teams/teams.service.js';
import { ConversationAccess } from './conversation-access.service.js';
import { type ConversationFilter, ConversationListsRepository } from './conversation-lists.repository.js';
import { type ConversationListItem, toConversationListItem } from './conversations.mapper.js';
import { viewFiltersSql } from './views/view-filters.js';
import { ViewsService } from './views/views.service.js';

type Query = Record<string, unknown>;

/** Conversation-list cursors are keyed by (last_message_at, id) and work on every conversation list. */
const CURSOR_KIND = 'c';

/** The conversation lists; each route's guard has already checked its list permission. */
@Injectable()
export class ConversationLists {
  constructor(
    private readonly repo: ConversationListsRepository,
    private readonly access: ConversationAccess,
    private readonly teams: TeamsService,
    private readonly views: ViewsService,
  ) {}

  all(principal: Principal, query: Query) {
    return this.page(principal, query, { sql: 'TRUE', params: [], fixed: true });
  }

  assigned(principal: Principal, query: Query) {
    return this.page(principal, query, { sql: 'c.assigned_user_id = $1', params: [principal.id], fixed: true });
  }

  unassigned(principal: Principal, query: Query) {
    return this.page(principal, query, { sql: 'c.assigned_user_id IS NULL AND c.assigned_team_id IS NULL', params: [], fixed: true });
  }

  /** A team's queue: for its members, or (DECISIONS.md) anyone holding conversations:read_all. */
  async teamUnassigned(principal: Principal, teamId: number, query: Query) {
    const page = parseListRequest(query, CURSOR_KIND);
    if (!principal.teamIds.includes(teamId)) {
      if (!hasPermission(principal, Permission.ConversationsReadAll)) {
        throw new Forbidden("You're not a member of this team, Please refresh the page and try again");
      }
      if (!(await this.teams.findById(teamId))) throw new NotFound('Team not found');
    }
    return this.run(principal, page, { sql: 'c.assigned_team_id = $1 AND c.assigned_user_id IS NULL', params: [teamId], fixed: true });
  }

  /** A saved view's conditions, within what the caller may read. */
  async view(principal: Principal, viewId: number, query: Query) {
    const page = parseListRequest(query, CURSOR_KIND);
    const filters = await this.views.filtersFor(principal, viewId);
    const params: unknown[] = [];
    const scope = this.access.sql(principal, params);
    if (scope === 'FALSE') throw new Forbidden('Permission denied');
    return this.run(principal, page, { sql: `${scope} AND ${viewFiltersSql(filters, params)}`, params });
  }

  private page(principal: Principal, query: Query, filter: ConversationFilter) {
    return this.run(principal, parseListRequest(query, CURSOR_KIND), filter);
  }

  private async run(principal: Principal, request: ListRequest, filter: ConversationFilter): Promise<CursorPageResults<ConversationListItem>> {
    const { rows, total } = await this.repo.list(filter, principal.id, request);
    return cursorPageResults(CURSOR_KIND, rows, total, request, toConversationListItem);
  }
}
