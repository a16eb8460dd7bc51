import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { CredentialsService } from '../../shared/auth/credentials.service.js';
import type { Precondition } from '../../shared/http/conditional.js';
import { Conflict, InvalidInput, NotFound } from '../../shared/http/errors.js';
import type { CreateTeamDto, UpdateTeamDto } from './dto/team-request.dto.js';
import { TeamEntity } from './entities/team.entity.js';
import { type Team, toTeam } from './teams.mapper.js';
import { TeamsRepository } from './teams.repository.js';
import { canonicalTimeZone } from './timezone.js';

export interface TeamRef {
  id: number;
  name: string;
  emoji: string | null;
  conversation_assignment_type: 'Round robin' | 'Manual';
}

export type TeamDeletionHook = (manager: EntityManager, teamId: number) => Promise<void>;

@Injectable()
export class TeamsService {
  private readonly deletionHooks: TeamDeletionHook[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(TeamEntity) private readonly teams: Repository<TeamEntity>,
    private readonly repo: TeamsRepository,
    private readonly credentials: CredentialsService,
  ) {}

  async list(): Promise<Team[]> {
    return (await this.repo.list()).map(toTeam);
  }

  async get(id: number): Promise<Team> {
    const row = await this.repo.findById(id);
    if (!row) throw new NotFound('Team not found');
    return toTeam(row);
  }

  async create(dto: CreateTeamDto): Promise<Team> {
    return this.dataSource.transaction(async (m) => {
      if (await this.repo.nameTaken(dto.name, null, m)) throw new Conflict('Team already exists');
      const row = await this.repo.insert(
        {
          name: dto.name,
          emoji: dto.emoji ?? '',
          conversationAssignmentType: dto.conversation_assignment_type ?? 'Manual',
          timezone: storedTimeZone(dto.timezone),
          businessHoursId: null,
          slaPolicyId: null,
          maxAutoAssignedConversations: dto.max_auto_assigned_conversations ?? 0,
        },
        m,
      );
      return toTeam(row);
    });
  }

  /** A partial update: omitted fields keep their values. `If-Match` is checked on the locked row. */
  async update(id: number, dto: UpdateTeamDto, ifMatch: Precondition | null = null): Promise<Team> {
    const team = await this.dataSource.transaction(async (m) => {
      const current = await this.repo.findById(id, m, true);
      if (!current) throw new NotFound('Team not found');
      ifMatch?.assert(toTeam(current));
      if (dto.name !== undefined && (await this.repo.nameTaken(dto.name, id, m))) throw new Conflict('Team already exists');
      const row = await this.repo.update(
        id,
        {
          name: dto.name,
          emoji: dto.emoji === undefined ? undefined : (dto.emoji ?? ''),
          conversationAssignmentType: dto.conversation_assignment_type ?? undefined,
          timezone: dto.timezone === undefined ? undefined : storedTimeZone(dto.timezone),
          maxAutoAssignedConversations: dto.max_auto_assigned_conversations ?? undefined,
        },
        m,
      );
      if (!row) throw new NotFound('Team not found');
      return toTeam(row);
    });
    // Members show the team's name and emoji in their own agent representation.
    if (dto.name !== undefined || dto.emoji !== undefined) this.credentials.forgetUser('*');
    return team;
  }

  /** Runs inside the deleting transaction, before the row goes, so other domains can release the team. */
  onTeamDeleted(hook: TeamDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  async remove(id: number): Promise<true> {
    const deleted = await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.lock(id, m))) return false;
      for (const hook of this.deletionHooks) await hook(m, id);
      return this.repo.delete(id, m);
    });
    if (!deleted) throw new NotFound('Team not found');
    // Members lose the team's conversation access with their next request.
    this.credentials.forgetUser('*');
    return true;
  }

  /** Makes `teamIds` the agent's teams (inside the agent's transaction). */
  setMemberships(userId: number, teamIds: number[], m: EntityManager): Promise<void> {
    return this.repo.setMemberships(userId, teamIds, m);
  }

  /** A deleted agent leaves every team. */
  removeMemberships(userId: number, m: EntityManager): Promise<void> {
    return this.repo.setMemberships(userId, [], m);
  }

  async findById(id: number): Promise<TeamRef | null> {
    const team = await this.teams.findOne({ where: { id } });
    return team ? { id: team.id, name: team.name, emoji: team.emoji, conversation_assignment_type: team.conversationAssignmentType } : null;
  }

  /**
   * Resolves team references as agent requests give them: ids (numbers or numeric strings) or names.
   * An unknown team is a 400 naming it.
   */
  async resolveTeamIds(refs: Array<string | number>): Promise<number[]> {
    if (refs.length === 0) return [];
    const ids = new Set<number>();
    const names = new Set<string>();
    for (const ref of refs) {
      if (typeof ref === 'number' || /^\d{1,9}$/.test(ref)) ids.add(Number(ref));
      else names.add(ref.trim());
    }
    const found = await this.teams.find({
      select: { id: true, name: true },
      where: [...(ids.size ? [{ id: In([...ids]) }] : []), ...(names.size ? [{ name: In([...names]) }] : [])],
    });
    const missing = [...[...ids].filter((id) => !found.some((t) => t.id === id)), ...[...names].filter((n) => !found.some((t) => t.name === n))];
    if (missing.length) throw new InvalidInput(`Team not found: ${missing.join(', ')}`, { fields: { teams: `unknown team ${missing.join(', ')}` } });
    return [...new Set(found.map((t) => t.id))];
  }
}

function storedTimeZone(value: string | null | undefined): string {
  return value ? (canonicalTimeZone(value) ?? value) : '';
}
