import { Injectable } from '@nestjs/common';
import { Permission } from '../../../shared/auth/permissions.js';
import { hasPermission, type Principal } from '../../../shared/auth/principal.js';
import { Forbidden, InvalidFields, NotFound } from '../../../shared/http/errors.js';
import { AgentsService } from '../../agents/agents.service.js';
import { InboxesService } from '../../inboxes/inboxes.service.js';
import { PrioritiesService } from '../../statuses/priorities.service.js';
import { StatusesService } from '../../statuses/statuses.service.js';
import { TeamsService } from '../../teams/teams.service.js';
import type { CreateViewDto, UpdateViewDto, ViewDto } from './dto/view.dto.js';
import { isFilterLanguage, parseStoredViewFilters, parseViewFilters, type StoredViewFilters, type ViewFilters } from './view-filters.js';
import type { ViewEntity, ViewVisibility } from '../entities/view.entity.js';
import { toView } from './views.mapper.js';
import { ViewsRepository } from './views.repository.js';

const NO_ACCESS = 'You do not have access to this view';

/** Saved conversation filters and who may see and change them. */
@Injectable()
export class ViewsService {
  constructor(
    private readonly views: ViewsRepository,
    private readonly statuses: StatusesService,
    private readonly priorities: PrioritiesService,
    private readonly teams: TeamsService,
    private readonly agents: AgentsService,
    private readonly inboxes: InboxesService,
  ) {}

  /** The caller's own views, every `all` view, and the views of their teams (of every team for view managers). */
  async list(principal: Principal): Promise<ViewDto[]> {
    const teams = hasPermission(principal, Permission.SharedViewsManage) ? 'all' : principal.teamIds;
    const rows = await this.views.listVisible(principal.id, teams);
    return rows.map(toView);
  }

  async get(principal: Principal, id: number): Promise<ViewDto> {
    return toView(await this.visible(principal, id));
  }

  /** The view's conditions, once the caller is allowed to use it (404 unknown, 403 not theirs). */
  async filtersFor(principal: Principal, id: number): Promise<StoredViewFilters> {
    return parseStoredViewFilters((await this.visible(principal, id)).filters);
  }

  async create(principal: Principal, dto: CreateViewDto): Promise<ViewDto> {
    const visibility = dto.visibility ?? 'user';
    const teamId = await this.checkScope(principal, visibility, dto.team_id ?? null);
    const filters = await this.checkFilters(dto.filters);
    const saved = await this.views.insert({ name: dto.name, visibility, teamId, userId: visibility === 'user' ? principal.id : null, filters });
    return toView(saved);
  }

  async update(principal: Principal, id: number, dto: UpdateViewDto): Promise<ViewDto> {
    const view = await this.manageable(principal, id);
    const visibility = dto.visibility ?? view.visibility;
    const requestedTeam = dto.team_id !== undefined ? dto.team_id : visibility === view.visibility ? view.teamId : null;
    const teamId = await this.checkScope(principal, visibility, requestedTeam);
    if (dto.filters !== undefined) view.filters = await this.checkFilters(dto.filters);
    if (dto.name !== undefined) view.name = dto.name;
    view.userId = visibility === 'user' ? (view.visibility === 'user' ? view.userId : principal.id) : null;
    view.visibility = visibility;
    view.teamId = teamId;
    return toView(await this.views.save(view));
  }

  async remove(principal: Principal, id: number): Promise<true> {
    await this.views.delete((await this.manageable(principal, id)).id);
    return true;
  }

  private async find(id: number): Promise<ViewEntity> {
    const view = await this.views.findById(id);
    if (!view) throw new NotFound('View not found');
    return view;
  }

  private async visible(principal: Principal, id: number): Promise<ViewEntity> {
    const view = await this.find(id);
    const allowed =
      view.visibility === 'all' ||
      (view.visibility === 'user' && view.userId === principal.id) ||
      (view.visibility === 'team' && (principal.teamIds.includes(view.teamId!) || hasPermission(principal, Permission.SharedViewsManage)));
    if (!allowed) throw new Forbidden(NO_ACCESS);
    return view;
  }

  /** Private views belong to their owner; shared views to whoever holds shared_views:manage. */
  private async manageable(principal: Principal, id: number): Promise<ViewEntity> {
    const view = await this.visible(principal, id);
    if (view.visibility !== 'user' && !hasPermission(principal, Permission.SharedViewsManage)) {
      throw new Forbidden('Managing shared views requires shared_views:manage');
    }
    return view;
  }

  /** The team id a view of this visibility keeps (team views need an existing team; others none). */
  private async checkScope(principal: Principal, visibility: ViewVisibility, teamId: number | null): Promise<number | null> {
    if (visibility !== 'user' && !hasPermission(principal, Permission.SharedViewsManage)) {
      throw new Forbidden('Sharing a view requires shared_views:manage');
    }
    if (visibility !== 'team') {
      if (teamId !== null) throw new InvalidFields({ team_id: 'is only allowed for team views' });
      return null;
    }
    if (teamId === null) throw new InvalidFields({ team_id: 'is required for team views' });
    if (!(await this.teams.findById(teamId))) throw new InvalidFields({ team_id: `unknown team ${teamId}` }, `Team not found: ${teamId}`);
    return teamId;
  }

  /**
   * Strictly valid filters. The filter language is stored as sent once it parses (as upstream); in the
   * object form every id must exist.
   */
  private async checkFilters(raw: unknown): Promise<ViewFilters | Record<string, unknown> | unknown[]> {
    if (isFilterLanguage(raw)) {
      parseStoredViewFilters(raw);
      return raw;
    }
    const filters = parseViewFilters(raw);
    const missing: Record<string, string> = {};
    const exists = async (key: keyof ViewFilters, lookup: (id: number) => Promise<unknown>) => {
      const id = filters[key] as number | undefined;
      if (id === undefined) return;
      const found = await lookup(id).catch((err: unknown) => {
        if (err instanceof NotFound) return null;
        throw err;
      });
      if (!found) missing[`filters.${key}`] = `unknown id ${id}`;
    };
    await exists('status_id', (id) => this.statuses.findById(id));
    await exists('priority_id', (id) => this.priorities.findById(id));
    await exists('assigned_team_id', (id) => this.teams.findById(id));
    await exists('assigned_user_id', (id) => this.agents.get(id));
    await exists('inbox_id', (id) => this.inboxes.get(id));
    if (Object.keys(missing).length) throw new InvalidFields(missing);
    return filters;
  }
}
