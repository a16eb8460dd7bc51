import type { TeamEntity } from './entities/team.entity.js';

/** The contract's `Team`. */
export function toTeam(team: TeamEntity) {
  return {
    id: team.id,
    created_at: team.createdAt.toISOString(),
    updated_at: team.updatedAt.toISOString(),
    emoji: team.emoji,
    name: team.name,
    conversation_assignment_type: team.conversationAssignmentType,
    timezone: team.timezone,
    business_hours_id: team.businessHoursId,
    sla_policy_id: team.slaPolicyId,
    max_auto_assigned_conversations: team.maxAutoAssignedConversations,
  };
}
export type Team = ReturnType<typeof toTeam>;
