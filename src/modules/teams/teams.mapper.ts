import type { AssignmentType } from './dto/team-request.dto.js';

export interface TeamRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  name: string;
  emoji: string | null;
  conversation_assignment_type: AssignmentType;
  timezone: string;
  business_hours_id: number | null;
  sla_policy_id: number | null;
  max_auto_assigned_conversations: number;
}

/** The contract's `Team`. */
export function toTeam(row: TeamRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    emoji: row.emoji,
    name: row.name,
    conversation_assignment_type: row.conversation_assignment_type,
    timezone: row.timezone,
    business_hours_id: row.business_hours_id,
    sla_policy_id: row.sla_policy_id,
    max_auto_assigned_conversations: row.max_auto_assigned_conversations,
  };
}
export type Team = ReturnType<typeof toTeam>;
