import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { generateApiKeyPair, hashSecret } from '../../shared/auth/api-key.js';
import { CredentialsService } from '../../shared/auth/credentials.service.js';
import { ADMIN_ROLE, SYSTEM_USER_EMAIL } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Precondition } from '../../shared/http/conditional.js';
import type { DatabaseHandle } from '../../shared/database/data-source-options.js';
import { DATABASE_HANDLE } from '../../shared/database/database.tokens.js';
import { FIRST_ADMIN_LOCK_KEY, withMigrationLock } from '../../shared/database/migration-lock.js';
import { Conflict, InvalidFields, InvalidInput, NotFound } from '../../shared/http/errors.js';
import { TeamsService } from '../teams/teams.service.js';
import { type Agent, toAgent, toAgentCompact } from './agents.mapper.js';
import { AgentsRepository } from './agents.repository.js';
import { AVAILABILITY_ALIASES, AvailabilityDto, CreateAgentDto, UpdateAgentDto } from './dto/agent-request.dto.js';

/** Runs inside the deleting transaction, so other domains can release what the agent held. */
export type AgentDeletionHook = (manager: EntityManager, agentId: number) => Promise<void>;

export interface IssuedCredentials {
  id: number;
  email: string;
  api_key: string;
  api_secret: string;
}

/** A cached `GET /agents/me` is re-read at least this often, even if a notification was lost. */
const PROFILE_TTL_MS = 30_000;

@Injectable()
export class AgentsService {
  private readonly deletionHooks: AgentDeletionHook[] = [];
  /** `GET /agents/me` answers by agent id, dropped on every change notification for that agent. */
  private readonly profiles = new LRUCache<number, Agent>({ max: 10_000, ttl: PROFILE_TTL_MS });
  /** Bumped by every change notification, so a read that raced with one is not cached. */
  private generation = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AgentsRepository,
    private readonly teams: TeamsService,
    private readonly credentials: CredentialsService,
    @Inject(DATABASE_HANDLE) private readonly database: DatabaseHandle,
  ) {
    credentials.onAgentChange((userId) => {
      this.generation += 1;
      if (userId === '*') this.profiles.clear();
      else this.profiles.delete(userId);
    });
  }

  onAgentDeleted(hook: AgentDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  async list() {
    return (await this.repo.listCompact()).map(toAgentCompact);
  }

  /** An agent by id. The System user is not one: it is hidden here as in the list, so it cannot be edited, keyed or assigned. */
  async get(id: number): Promise<Agent> {
    const row = await this.repo.findById(id);
    if (!row || row.email === SYSTEM_USER_EMAIL) throw new NotFound('Agent not found');
    return toAgent(row);
  }

  /**
   * The caller's own agent. Asked on every page load of a front end, so it is answered from memory
   * while change notifications arrive (see migration AgentChangeNotify1765200000000); writes made
   * here drop the entry before they answer.
   */
  async me(principal: Principal): Promise<Agent> {
    const cacheable = this.credentials.cachingAllowed;
    const cached = cacheable ? this.profiles.get(principal.id) : undefined;
    if (cached) return cached;
    const generation = this.generation;
    const agent = await this.get(principal.id);
    if (cacheable && generation === this.generation) this.profiles.set(principal.id, Object.freeze(agent));
    return agent;
  }

  async create(dto: CreateAgentDto): Promise<Agent> {
    const teamIds = dto.teams ? await this.teams.resolveTeamIds(dto.teams) : [];
    const password = dto.new_password ? await hashSecret(dto.new_password) : null;
    return this.dataSource.transaction(async (m) => {
      if ((await this.repo.findIdByEmail(dto.email, null, m)) !== null) throw new Conflict('An agent with the same email already exists');
      const roleIds = await this.resolveRoles(dto.roles, m);
      const id = await this.repo.insert(
        {
          email: dto.email,
          firstName: dto.first_name,
          lastName: dto.last_name ?? '',
          enabled: dto.enabled ?? true,
          availabilityStatus: dto.availability_status ?? 'offline',
          password,
        },
        m,
      );
      await this.repo.replaceRoles(id, roleIds, m);
      await this.teams.setMemberships(id, teamIds, m);
      return toAgent((await this.repo.findById(id, m))!);
    });
  }

  /** A partial update: omitted fields keep their values (DECISIONS.md). `If-Match` is checked on the locked row. */
  async update(id: number, dto: UpdateAgentDto, ifMatch: Precondition | null = null): Promise<Agent> {
    await this.get(id);
    const teamIds = dto.teams ? await this.teams.resolveTeamIds(dto.teams) : undefined;
    const password = dto.new_password ? await hashSecret(dto.new_password) : undefined;
    const agent = await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.lock(id, m))) throw new NotFound('Agent not found');
      ifMatch?.assert(toAgent((await this.repo.findById(id, m))!));
      if (dto.email !== undefined && (await this.repo.findIdByEmail(dto.email, id, m)) !== null) {
        throw new Conflict('An agent with the same email already exists');
      }
      const changed = await this.repo.update(
        id,
        {
          email: dto.email,
          firstName: dto.first_name,
          lastName: dto.last_name,
          enabled: dto.enabled,
          availabilityStatus: dto.availability_status,
          password,
        },
        m,
      );
      if (!changed) throw new NotFound('Agent not found');
      if (dto.roles !== undefined) await this.repo.replaceRoles(id, await this.resolveRoles(dto.roles, m), m);
      if (teamIds !== undefined) await this.teams.setMemberships(id, teamIds, m);
      return toAgent((await this.repo.findById(id, m))!);
    });
    this.credentials.forgetUser(id);
    return agent;
  }

  async updateAvailability(principal: Principal, dto: AvailabilityDto): Promise<Agent> {
    const status = AVAILABILITY_ALIASES[dto.status];
    const current = await this.get(principal.id);
    const keepManualAway = dto.source === 'idle' && ['away_manual', 'away_and_reassigning'].includes(current.availability_status);
    if (current.availability_status === status || keepManualAway) return current;
    await this.repo.update(principal.id, { availabilityStatus: status });
    this.credentials.forgetUser(principal.id);
    return this.get(principal.id);
  }

  /** Soft delete: the agent loses roles, teams, API key and open assignments. */
  async remove(principal: Principal, id: number): Promise<true> {
    if (id === principal.id) throw new InvalidInput('You cannot delete yourself');
    const agent = await this.repo.findById(id);
    if (!agent) throw new NotFound('Agent not found');
    if (agent.email === SYSTEM_USER_EMAIL) throw new InvalidInput('Cannot delete system user');
    await this.dataSource.transaction(async (m) => {
      await this.repo.softDelete(id, m);
      await this.teams.removeMemberships(id, m);
      for (const hook of this.deletionHooks) await hook(m, id);
    });
    this.credentials.forget(agent.apiKey);
    this.credentials.forgetUser(id);
    return true;
  }

  async generateApiKey(id: number): Promise<{ api_key: string; api_secret: string }> {
    const agent = await this.get(id);
    const pair = generateApiKeyPair();
    await this.repo.setApiKey(id, pair.apiKey, await hashSecret(pair.apiSecret));
    this.credentials.forget(agent.api_key);
    this.credentials.forgetUser(id);
    this.credentials.resetLastUsed(id);
    return { api_key: pair.apiKey, api_secret: pair.apiSecret };
  }

  async revokeApiKey(id: number): Promise<true> {
    const agent = await this.get(id);
    await this.repo.setApiKey(id, null, null);
    this.credentials.forget(agent.api_key);
    this.credentials.forgetUser(id);
    return true;
  }

  /** Creates the admin if no agent with that email exists, then issues a fresh key pair. */
  async createAdmin(email: string, firstName = 'Admin', lastName = ''): Promise<IssuedCredentials> {
    const normalized = email.trim().toLowerCase();
    const existing = await this.repo.findIdByEmail(normalized);
    const id =
      existing ??
      (await this.create(Object.assign(new CreateAgentDto(), { email: normalized, first_name: firstName, last_name: lastName, roles: [ADMIN_ROLE] }))).id;
    const { api_key, api_secret } = await this.generateApiKey(id);
    return { id, email: normalized, api_key, api_secret };
  }

  /**
   * On a fresh database, the first admin. Null when any agent exists already. Only the instance whose
   * insert wins issues the key: reissuing an admin another instance just created would void the
   * credentials that instance printed.
   */
  async ensureInitialAdmin(): Promise<IssuedCredentials | null> {
    // Instances starting together on one fresh database take turns, so only one tries the insert.
    const url = this.database.url;
    return url ? withMigrationLock(url, () => this.createInitialAdmin(), FIRST_ADMIN_LOCK_KEY) : this.createInitialAdmin();
  }

  private async createInitialAdmin(): Promise<IssuedCredentials | null> {
    if ((await this.repo.countRealAgents()) > 0) return null;
    const email = 'admin@localhost';
    let id: number;
    try {
      ({ id } = await this.create(Object.assign(new CreateAgentDto(), { email, first_name: 'Admin', last_name: '', roles: [ADMIN_ROLE] })));
    } catch (err) {
      const uniqueViolation = err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';
      if (err instanceof Conflict || uniqueViolation) return null; // another instance starting at the same moment created it
      throw err;
    }
    const { api_key, api_secret } = await this.generateApiKey(id);
    return { id, email, api_key, api_secret };
  }

  private async resolveRoles(names: string[], m: EntityManager): Promise<number[]> {
    const unique = [...new Set(names)];
    const byName = await this.repo.roleIdsByName(unique, m);
    const unknown = unique.filter((n) => !byName.has(n));
    if (unknown.length) throw new InvalidFields({ roles: `unknown role ${unknown.join(', ')}` }, `Role not found: ${unknown.join(', ')}`);
    return unique.map((n) => byName.get(n)!);
  }
}
