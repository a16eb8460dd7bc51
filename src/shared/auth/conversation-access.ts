import { Permission } from './permissions.js';
import type { Principal } from './principal.js';

export interface ConversationAssignment {
  assignedUserId: number | null;
  assignedTeamId: number | null;
}

/** Conversation access, reference §3.3, evaluated in order. */
export function canReadConversation(p: Principal, c: ConversationAssignment): boolean {
  const has = (perm: string) => p.permissions.has(perm);
  if (!has(Permission.ConversationsRead)) return false;
  if (has(Permission.ConversationsReadAll)) return true;
  if (c.assignedUserId === p.id && has(Permission.ConversationsReadAssigned)) return true;
  const inTeam = c.assignedTeamId !== null && p.teamIds.includes(c.assignedTeamId);
  if (inTeam && has(Permission.ConversationsReadTeamAll)) return true;
  if (inTeam && c.assignedUserId === null && has(Permission.ConversationsReadTeamInbox)) return true;
  if (c.assignedUserId === null && c.assignedTeamId === null && has(Permission.ConversationsReadUnassigned)) return true;
  return false;
}

/**
 * The same rules as a SQL predicate over a conversations alias, for lists and search.
 * Appends its parameters to `params` and returns the clause (`FALSE` when nothing is readable).
 */
export function conversationAccessSql(p: Principal, alias: string, params: unknown[]): string {
  const has = (perm: string) => p.permissions.has(perm);
  if (!has(Permission.ConversationsRead)) return 'FALSE';
  if (has(Permission.ConversationsReadAll)) return 'TRUE';
  const ors: string[] = [];
  if (has(Permission.ConversationsReadAssigned)) {
    params.push(p.id);
    ors.push(`${alias}.assigned_user_id = $${params.length}`);
  }
  if (p.teamIds.length > 0 && has(Permission.ConversationsReadTeamAll)) {
    params.push([...p.teamIds]);
    ors.push(`${alias}.assigned_team_id = ANY($${params.length}::int[])`);
  } else if (p.teamIds.length > 0 && has(Permission.ConversationsReadTeamInbox)) {
    params.push([...p.teamIds]);
    ors.push(`(${alias}.assigned_team_id = ANY($${params.length}::int[]) AND ${alias}.assigned_user_id IS NULL)`);
  }
  if (has(Permission.ConversationsReadUnassigned)) {
    ors.push(`(${alias}.assigned_user_id IS NULL AND ${alias}.assigned_team_id IS NULL)`);
  }
  return ors.length ? `(${ors.join(' OR ')})` : 'FALSE';
}
