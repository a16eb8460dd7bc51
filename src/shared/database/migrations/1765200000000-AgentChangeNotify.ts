import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Widens the `libredesk_auth` notifications of AuthChangeNotify1764900000000 from "what an API key
 * authenticates as" to "anything an agent's own representation shows": every change to an agent's
 * row (availability, avatar, phone, key last used, ...) and a team's name or emoji (shown in its
 * members' `teams`). Each server keeps `GET /agents/me` in memory while it receives these, so a change
 * made on any instance, or directly in SQL, is seen by every instance's next request. Contacts' rows
 * (also in `users`) send nothing.
 */
export class AgentChangeNotify1765200000000 implements MigrationInterface {
  name = 'AgentChangeNotify1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER users_auth_change ON users;
      CREATE TRIGGER users_auth_change AFTER UPDATE ON users
        FOR EACH ROW WHEN ((OLD.type = 'agent' OR NEW.type = 'agent') AND OLD IS DISTINCT FROM NEW)
        EXECUTE FUNCTION notify_auth_change();
      CREATE TRIGGER teams_auth_change AFTER UPDATE OF name, emoji OR DELETE ON teams
        FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER teams_auth_change ON teams;
      DROP TRIGGER users_auth_change ON users;
      CREATE TRIGGER users_auth_change
        AFTER UPDATE OF api_key, api_secret, enabled, deleted_at, type, email, first_name, last_name ON users
        FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION notify_auth_change();
    `);
  }
}
