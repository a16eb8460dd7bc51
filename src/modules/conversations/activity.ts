/** Kinds stored in an activity message's `meta.activity_type` (reference §9.1). */
export type ActivityType = 'status_change' | 'priority_change' | 'assigned_user_change' | 'assigned_team_change' | 'self_assign' | 'tag_added' | 'tag_removed';

export interface Activity {
  type: ActivityType;
  text: string;
}

/** The trail texts, actor first, so a conversation reads as a history of who did what. */
export const Activities = {
  assignedUser: (actor: string, assignee: string, self: boolean): Activity =>
    self
      ? { type: 'self_assign', text: `${actor} self-assigned this conversation` }
      : { type: 'assigned_user_change', text: `${actor} assigned the conversation to ${assignee}` },
  assignedTeam: (actor: string, team: string): Activity => ({
    type: 'assigned_team_change',
    text: `${actor} assigned the conversation to the ${team} team`,
  }),
  priority: (actor: string, priority: string): Activity => ({ type: 'priority_change', text: `${actor} set priority to ${priority}` }),
  status: (actor: string, status: string): Activity => ({ type: 'status_change', text: `${actor} marked the conversation as ${status}` }),
  tagAdded: (actor: string, tag: string): Activity => ({ type: 'tag_added', text: `${actor} added tag ${tag}` }),
  tagRemoved: (actor: string, tag: string): Activity => ({ type: 'tag_removed', text: `${actor} removed tag ${tag}` }),
};
