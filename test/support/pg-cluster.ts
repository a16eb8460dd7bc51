import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './process.js';

const run = promisify(execFile);

/** The newest PostgreSQL installed under /usr/lib/postgresql, or null (then the fault tests cannot run). */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

/**
 * A private, throwaway PostgreSQL cluster for tests that stop and restart the database. It never
 * touches the shared server the rest of the suite uses. PostgreSQL refuses to run as root, so the
 * binaries run as the `postgres` OS user when the tests run as root.
 */
export class PgCluster {
  readonly url: string;
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    readonly database: string,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  /**
   * A new cluster with its database. `wal_level=replica` (PostgreSQL's default) and the trust rule initdb
   * writes for replication connections on 127.0.0.1 let `replica()` clone it with pg_basebackup.
   */
  static async create(database = 'libredesk'): Promise<PgCluster> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('No PostgreSQL binaries under /usr/lib/postgresql');
    const cluster = new PgCluster(bin, await PgCluster.privateDir(), await freePort(), database);
    await cluster.pg('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await cluster.start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${cluster.port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    await admin.end();
    return cluster;
  }

  /** Whether `replica()` can work here: the binaries and pg_basebackup are installed. */
  static replicationUnavailable(): string | null {
    const bin = postgresBinDir();
    if (!bin) return 'no PostgreSQL binaries under /usr/lib/postgresql';
    if (!existsSync(join(bin, 'pg_basebackup'))) return `no pg_basebackup in ${bin}`;
    return null;
  }

  /**
   * A hot-standby streaming replica of this cluster on another loopback port: `pg_basebackup -R` copies the
   * data directory and writes primary_conninfo + standby.signal, then the copy starts and follows the WAL.
   */
  async replica(): Promise<PgCluster> {
    const standby = new PgCluster(this.bin, await PgCluster.privateDir(), await freePort(), this.database);
    await standby.pg('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-D',
      standby.dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]);
    await standby.start();
    return standby;
  }

  /** Waits until the replica has replayed everything the primary wrote so far (its LSN now). */
  async waitForReplay(standby: PgCluster, timeoutMs = 15_000): Promise<void> {
    const primary = await this.client();
    const replica = await standby.client();
    try {
      const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await replica.query<{ caught: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught', [rows[0].lsn]);
        if (r.rows[0].caught) return;
        if (Date.now() > deadline) throw new Error(`replica did not replay up to ${rows[0].lsn} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await primary.end();
      await replica.end();
    }
  }

  private static async privateDir(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'libredesk-pgcluster-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    return dir;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** `fast` rolls back open transactions and disconnects every client, as a restart in production does. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** A client on the cluster's database; the caller ends it. */
  async client(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    return client;
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(file, argv, { cwd: this.dir, timeout: 90_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tool} ${args.at(-1)} failed: ${e.stderr || e.message}\n${this.log().slice(-2000)}`, { cause: err });
    }
  }
}
