import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bannerToken, createDatabase, type Running, scratchDir, sleep, startServer } from '../support/process.js';

const MIB = 1024 * 1024;
const BOUNDARY = '----libredesk-upload-memory';

/** Resident memory of a process, in bytes. */
function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** A multipart body of `size` bytes in the `files` field, generated as it is sent (never held whole). */
function multipartStream(filename: string, size: number): ReadableStream<Uint8Array> {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: application/x-big\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const chunk = Buffer.alloc(MIB, 0x5a);
  let sent = 0;
  let stage = 0;
  return new ReadableStream({
    pull(controller) {
      if (stage === 0) {
        controller.enqueue(head);
        stage = 1;
      } else if (sent < size) {
        const n = Math.min(MIB, size - sent);
        controller.enqueue(chunk.subarray(0, n));
        sent += n;
      } else {
        controller.enqueue(tail);
        controller.close();
      }
    },
  });
}

async function upload(
  server: Running,
  auth: string,
  filename: string,
  size: number,
): Promise<{ status: number; body: { data?: { size: number }; status: string; error_type?: string } }> {
  const res = await fetch(`${server.url}/api/v1/media`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipartStream(filename, size),
    duplex: 'half',
    signal: AbortSignal.timeout(120_000),
  });
  return { status: res.status, body: (await res.json()) as { data?: { size: number }; status: string; error_type?: string } };
}

/** Runs `work` while sampling the server's resident memory; resolves to its result and the peak growth over `baseline`. */
async function peakGrowth<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = rss(pid);
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), 10);
  try {
    const result = await work();
    peak = Math.max(peak, rss(pid));
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(timer);
  }
}

describe('uploads at scale, measured on a server process', () => {
  let server: Running;
  let auth: string;
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  const dir = scratchDir();

  beforeAll(async () => {
    db = process.env.DATABASE_URL ? await createDatabase(process.env.DATABASE_URL, 'libredesk_upload') : undefined;
    server = await startServer({
      env: { DATA_DIR: dir.path, MEDIA_MAX_FILE_SIZE_MB: '160', RATE_LIMIT_ENABLED: 'false', ...(db ? { DATABASE_URL: db.url } : {}) },
      expectBanner: true,
    });
    auth = bannerToken(server.output());
    // Warm up the upload path, so what is measured below is the upload and not code loading.
    expect((await upload(server, auth, 'warm-up.bin', 2 * MIB)).status).toBe(200);
    await sleep(300);
  }, 240_000);

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await db?.drop();
    dir.remove();
  });

  test('a 150 MB upload grows the process by less than 60 MB and is stored whole', async () => {
    const { result, growth } = await peakGrowth(server.child.pid!, () => upload(server, auth, 'big.bin', 150 * MIB));
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.data).toMatchObject({ size: 150 * MIB, content_type: 'application/x-big' });
    console.log(`150 MB upload: peak RSS growth ${(growth / MIB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(60 * MIB);
  }, 180_000);

  test('an upload over the limit is cut off with 413 and leaves no file behind', async () => {
    const uploads = join(dir.path, 'uploads');
    const before = readdirSync(uploads).sort();
    const { result, growth } = await peakGrowth(server.child.pid!, () => upload(server, auth, 'over.bin', 170 * MIB));
    expect(result.status).toBe(413);
    expect(result.body).toMatchObject({ status: 'error', error_type: 'PayloadTooLargeException' });
    expect(readdirSync(uploads).sort()).toEqual(before);
    console.log(`170 MB upload over a 160 MB limit: peak RSS growth ${(growth / MIB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(60 * MIB);
  }, 180_000);
});
