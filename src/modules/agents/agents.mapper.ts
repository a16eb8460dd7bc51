import { iso } from '../../shared/http/serialize.js';
/** An agent as read by `AgentsRepository.findAgents`, with roles, permissions and teams aggregated. */
export interface AgentRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  type: string;
  first_name: string;
  last_name: string;
  email: string | null;
  availability_status: string;
  phone_number_country_code: string | null;
  phone_number: string | null;
  avatar_url: string | null;
  enabled: boolean;
  last_active_at: Date | null;
  last_login_at: Date | null;
  custom_attributes: Record<string, unknown> | null;
  api_key: string | null;
  api_key_last_used_at: Date | null;
  roles: string[];
  permissions: string[];
  teams: Array<{ id: number; name: string; emoji: string | null }>;
}

/** The contract's `Agent`. The secret hash and password are never selected, so they cannot leak. */
export function toAgent(row: AgentRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    type: row.type,
    availability_status: row.availability_status,
    phone_number_country_code: row.phone_number_country_code,
    phone_number: row.phone_number,
    avatar_url: row.avatar_url,
    enabled: row.enabled,
    last_active_at: iso(row.last_active_at),
    last_login_at: iso(row.last_login_at),
    roles: row.roles,
    permissions: row.permissions,
    custom_attributes: row.custom_attributes ?? {},
    teams: row.teams,
    api_key: row.api_key,
    api_key_last_used_at: iso(row.api_key_last_used_at),
  };
}
export type Agent = ReturnType<typeof toAgent>;

/** The compact agent of GET /agents (flat, per DECISIONS.md). */
export function toAgentCompact(
  row: Pick<AgentRow, 'id' | 'type' | 'first_name' | 'last_name' | 'email' | 'enabled' | 'avatar_url' | 'availability_status' | 'created_at' | 'updated_at'>,
) {
  return {
    id: row.id,
    type: row.type,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    enabled: row.enabled,
    avatar_url: row.avatar_url,
    availability_status: row.availability_status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
