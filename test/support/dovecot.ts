import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export const DOVECOT_BINARY = process.env.DOVECOT_BINARY ?? '/usr/sbin/dovecot';

/** Why Dovecot cannot run here (shown as the skip reason), or null when it can. */
export function dovecotUnavailable(): string | null {
  if (!existsSync(DOVECOT_BINARY)) return `Dovecot is not installed at ${DOVECOT_BINARY} (scripts/ensure-dovecot.sh installs Debian's dovecot-imapd)`;
  const probe = spawnSync(DOVECOT_BINARY, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${DOVECOT_BINARY} --version failed: ${probe.stderr}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private Dovecot IMAP server for one test file: config, passwd-file users and Maildirs in a temp
 * folder, plain-text login on a free loopback port, run in the foreground as a child process.
 */
export class TestImapServer {
  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(users: Record<string, string> = { 'support@imap.test': 'secret' }): Promise<TestImapServer> {
    const dir = mkdtempSync(join(tmpdir(), 'libredesk-dovecot-'));
    const port = await freePort();
    const me = userInfo();
    // Dovecot refuses to run its login and internal processes as root; Debian's package adds these users.
    const asRoot = me.uid === 0;
    const loginUser = asRoot ? 'dovenull' : me.username;
    const internalUser = asRoot ? 'dovecot' : me.username;
    // Mail is stored as the `dovecot` user under root (Dovecot refuses uid 0 for mail processes).
    const mailUid = asRoot ? uidOf('dovecot') : me.uid;
    const mailGid = asRoot ? gidOf('dovecot') : me.gid;
    chmodSync(dir, 0o755);
    for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub), { mode: 0o755 });
    if (asRoot) chownSync(join(dir, 'home'), mailUid, mailGid);
    const passwdFile = join(dir, 'passwd');
    writeFileSync(
      passwdFile,
      Object.entries(users)
        .map(([user, password]) => `${user}:{PLAIN}${password}`)
        .join('\n') + '\n',
      { mode: 0o644 },
    );
    const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
first_valid_uid = ${mailUid}
first_valid_gid = ${mailGid}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdFile}
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
`;
    writeFileSync(join(dir, 'dovecot.conf'), config);
    const child = spawn(DOVECOT_BINARY, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const server = new TestImapServer('127.0.0.1', port, dir, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}): ${stderr}`);
      if (await server.answers()) return server;
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`dovecot did not answer on port ${port}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection(this.port);
      socket.once('data', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.setTimeout(500, () => {
        socket.destroy();
        resolve(false);
      });
    });
  }

  /** An imapflow client logged in as `user`, for appending and inspecting mail. */
  async client(user = 'support@imap.test', password = 'secret'): Promise<ImapFlow> {
    const client = new ImapFlow({ host: this.host, port: this.port, secure: false, auth: { user, pass: password }, logger: false });
    await client.connect();
    return client;
  }

  /** IMAP APPEND of a raw RFC 822 message; returns its UID. */
  async append(raw: string | Buffer, options: { user?: string; password?: string; mailbox?: string; flags?: string[] } = {}): Promise<number> {
    const client = await this.client(options.user, options.password);
    try {
      const result = await client.append(options.mailbox ?? 'INBOX', raw, options.flags ?? []);
      if (!result) throw new Error('APPEND returned nothing');
      return Number(result.uid);
    } finally {
      await client.logout();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function passwdEntry(name: string): string[] {
  const line = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.trim();
  if (!line) throw new Error(`user ${name} not found (is Debian's dovecot-core installed?)`);
  return line.split(':');
}
const uidOf = (name: string): number => Number(passwdEntry(name)[2]);
const gidOf = (name: string): number => Number(passwdEntry(name)[3]);
