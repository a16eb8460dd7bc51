import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change that can alter who an API key authenticates as, or what they may do, sends
 * `NOTIFY libredesk_auth` with the affected user id (or `*` for a role change). Each server instance
 * drops its cached credentials on it, so a revoked key, a disabled agent or a role change is refused
 * by every instance at once, including changes made directly in SQL.
 */
export class AuthChangeNotify1764900000000 implements MigrationInterface {
  name = 'AuthChangeNotify1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'users' THEN
          PERFORM pg_notify('libredesk_auth', COALESCE(NEW.id, OLD.id)::text);
        ELSIF TG_TABLE_NAME IN ('user_roles', 'team_members') THEN
          PERFORM pg_notify('libredesk_auth', COALESCE(NEW.user_id, OLD.user_id)::text);
        ELSE
          PERFORM pg_notify('libredesk_auth', '*');
        END IF;
        RETURN NULL;
      END $$;

      CREATE TRIGGER users_auth_change
        AFTER UPDATE OF api_key, api_secret, enabled, deleted_at, type, email, first_name, last_name ON users
        FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION notify_auth_change();
      CREATE TRIGGER users_auth_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
      CREATE TRIGGER user_roles_auth_change AFTER INSERT OR UPDATE OR DELETE ON user_roles
        FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
      CREATE TRIGGER team_members_auth_change AFTER INSERT OR UPDATE OR DELETE ON team_members
        FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
      CREATE TRIGGER roles_auth_change AFTER INSERT OR UPDATE OR DELETE ON roles
        FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER IF EXISTS roles_auth_change ON roles;
      DROP TRIGGER IF EXISTS team_members_auth_change ON team_members;
      DROP TRIGGER IF EXISTS user_roles_auth_change ON user_roles;
      DROP TRIGGER IF EXISTS users_auth_delete ON users;
      DROP TRIGGER IF EXISTS users_auth_change ON users;
      DROP FUNCTION IF EXISTS notify_auth_change();
    `);
  }
}
