import { iso } from '../../shared/http/serialize.js';
import type { AgentCompactRecord, AgentRecord } from './agents.repository.js';

/** The contract's `Agent`. The secret hash and password are never selected, so they cannot leak. */
export function toAgent(row: AgentRecord) {
  return {
    id: row.id,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    first_name: row.firstName,
    last_name: row.lastName,
    email: row.email,
    type: row.type as string,
    availability_status: row.availabilityStatus as string,
    phone_number_country_code: row.phoneNumberCountryCode,
    phone_number: row.phoneNumber,
    avatar_url: row.avatarUrl,
    enabled: row.enabled,
    last_active_at: iso(row.lastActiveAt),
    last_login_at: iso(row.lastLoginAt),
    roles: row.roles,
    permissions: row.permissions,
    custom_attributes: (row.customAttributes as Record<string, unknown> | null) ?? {},
    teams: row.teams,
    api_key: row.apiKey,
    api_key_last_used_at: iso(row.apiKeyLastUsedAt),
  };
}
export type Agent = ReturnType<typeof toAgent>;

/** The compact agent of GET /agents (flat, per DECISIONS.md). */
export function toAgentCompact(row: AgentCompactRecord) {
  return {
    id: row.id,
    type: row.type as string,
    first_name: row.firstName,
    last_name: row.lastName,
    email: row.email,
    enabled: row.enabled,
    avatar_url: row.avatarUrl,
    availability_status: row.availabilityStatus as string,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
