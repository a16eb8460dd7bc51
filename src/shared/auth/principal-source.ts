/** What the credential check needs to know about the agent behind an API key. */
export interface PrincipalRecord {
  id: number;
  email: string | null;
  firstName: string;
  lastName: string;
  /** The scrypt hash of the key's secret. */
  secretHash: string | null;
  roles: string[];
  permissions: string[];
  teamIds: number[];
}

/**
 * Where principals come from. The agents module owns the users table and implements this with its
 * repository (shared code never imports a module); AuthModule.forRoot names the module providing it.
 */
export interface PrincipalSource {
  /** The enabled, live agent holding this API key, with roles, permissions and team ids. */
  findByApiKey(apiKey: string): Promise<PrincipalRecord | null>;
  /** Records that the agent's key was used just now. */
  recordKeyUse(userId: number): Promise<void>;
}

export const PRINCIPAL_SOURCE = Symbol('PRINCIPAL_SOURCE');
