/** The permission vocabulary of Libredesk (reference §3.1). */
export const Permission = {
  ConversationsReadAll: 'conversations:read_all',
  ConversationsReadUnassigned: 'conversations:read_unassigned',
  ConversationsReadAssigned: 'conversations:read_assigned',
  ConversationsReadTeamInbox: 'conversations:read_team_inbox',
  ConversationsReadTeamAll: 'conversations:read_team_all',
  ConversationsRead: 'conversations:read',
  ConversationsUpdateUserAssignee: 'conversations:update_user_assignee',
  ConversationsUpdateTeamAssignee: 'conversations:update_team_assignee',
  ConversationsUpdatePriority: 'conversations:update_priority',
  ConversationsUpdateStatus: 'conversations:update_status',
  ConversationsUpdateTags: 'conversations:update_tags',
  ConversationsWrite: 'conversations:write',
  MessagesRead: 'messages:read',
  MessagesWrite: 'messages:write',
  MessagesWriteAsContact: 'messages:write_as_contact',
  ViewManage: 'view:manage',
  SharedViewsManage: 'shared_views:manage',
  StatusManage: 'status:manage',
  TagsManage: 'tags:manage',
  MacrosManage: 'macros:manage',
  UsersManage: 'users:manage',
  TeamsManage: 'teams:manage',
  AutomationsManage: 'automations:manage',
  InboxesManage: 'inboxes:manage',
  RolesManage: 'roles:manage',
  WebhooksManage: 'webhooks:manage',
  ContextLinksManage: 'context_links:manage',
  TemplatesManage: 'templates:manage',
  ReportsManage: 'reports:manage',
  BusinessHoursManage: 'business_hours:manage',
  SlaManage: 'sla:manage',
  GeneralSettingsManage: 'general_settings:manage',
  NotificationSettingsManage: 'notification_settings:manage',
  OidcManage: 'oidc:manage',
  AiManage: 'ai:manage',
  CustomAttributesManage: 'custom_attributes:manage',
  ActivityLogsManage: 'activity_logs:manage',
  ContactsReadAll: 'contacts:read_all',
  ContactsRead: 'contacts:read',
  ContactsWrite: 'contacts:write',
  ContactsBlock: 'contacts:block',
  ContactsDelete: 'contacts:delete',
  ContactsExport: 'contacts:export',
  ContactNotesRead: 'contact_notes:read',
  ContactNotesWrite: 'contact_notes:write',
  ContactNotesDelete: 'contact_notes:delete',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

/** The seeded `Agent` role. Note that Libredesk's default Agent role holds `read_all`. */
export const AGENT_ROLE_PERMISSIONS: readonly Permission[] = [
  Permission.ConversationsReadAll,
  Permission.ConversationsReadUnassigned,
  Permission.ConversationsReadAssigned,
  Permission.ConversationsReadTeamInbox,
  Permission.ConversationsReadTeamAll,
  Permission.ConversationsRead,
  Permission.ConversationsUpdateUserAssignee,
  Permission.ConversationsUpdateTeamAssignee,
  Permission.ConversationsUpdatePriority,
  Permission.ConversationsUpdateStatus,
  Permission.ConversationsUpdateTags,
  Permission.MessagesRead,
  Permission.MessagesWrite,
  Permission.ViewManage,
];

/** The seeded `Admin` role: everything, including `messages:write_as_contact` (DECISIONS.md departure). */
export const ADMIN_ROLE_PERMISSIONS: readonly Permission[] = ALL_PERMISSIONS;

export const ADMIN_ROLE = 'Admin';
export const AGENT_ROLE = 'Agent';
export const SYSTEM_USER_EMAIL = 'System';
