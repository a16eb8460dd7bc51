import { ADMIN_ROLE } from './permissions.js';

/** The authenticated agent, as the guard puts it on the request. */
export interface Principal {
  id: number;
  email: string | null;
  firstName: string;
  lastName: string;
  roles: string[];
  permissions: ReadonlySet<string>;
  teamIds: readonly number[];
}

export const hasPermission = (principal: Principal, permission: string): boolean => principal.permissions.has(permission);

/** "Is admin" in Libredesk means "has a role named Admin" (used by contact-note deletion). */
export const isAdmin = (principal: Principal): boolean => principal.roles.includes(ADMIN_ROLE);

export const fullName = (p: { firstName: string; lastName: string }): string => `${p.firstName} ${p.lastName}`.trim();
