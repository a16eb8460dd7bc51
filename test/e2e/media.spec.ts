import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { MediaService } from '../../src/modules/media/media.service.js';
import { MediaUrlSigner } from '../../src/modules/media/media-url-signer.js';
import { loadContract } from '../../src/shared/openapi/contract.js';
import { createAgent } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver ships no types.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv) => Ajv;

const contract = loadContract();
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ components: contract.components }, 'contract');

/** Every property of the contract schema is present, and the value validates against it. */
function expectSchema(value: unknown, name: string): void {
  const validate = ajv.compile({ $ref: `contract#/components/schemas/${name}` });
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  const properties = Object.keys((contract.components.schemas![name] as { properties: object }).properties);
  expect(Object.keys(value as object).sort()).toEqual(properties.sort());
}

/** A hand-built multipart body, for file names a well-behaved client library would clean up first. */
function multipart(filename: string, content: Buffer, contentType = 'application/octet-stream') {
  const boundary = '----test-boundary-7d1e';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head, 'utf8'), content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

async function mediaRows(t: TestApp): Promise<number> {
  const [{ n }] = await t.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM media`);
  return n;
}

function urlPath(url: string): string {
  return url.startsWith('http') ? new URL(url).pathname + new URL(url).search : url;
}

describe('media on the local disk store', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp();
    auth = t.token(t.admin);
  });
  afterAll(async () => t?.close());

  const upload = () => t.http.post('/api/v1/media').set('Authorization', auth);

  test('an uploaded image round-trips with its exact bytes and content type', async () => {
    const res = await upload().attach('files', PNG_1x1, { filename: 'My Photo.PNG', contentType: 'image/png' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    const media = res.body.data;
    expectSchema(media, 'Media');
    expect(media).toMatchObject({
      store: 'fs',
      filename: 'my-photo.png',
      content_type: 'image/png',
      content_id: '',
      model_id: null,
      model_type: null,
      disposition: 'attachment',
      size: PNG_1x1.length,
      meta: { width: 1, height: 1 },
    });
    expect(media.url).toMatch(new RegExp(`^/uploads/${media.uuid}\\?exp=\\d+&sig=[\\w-]+$`));
    expect(existsSync(join(t.config.DATA_DIR, 'uploads', media.uuid))).toBe(true);

    const file = await t.http.get(media.url).responseType('blob');
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body as Buffer, PNG_1x1)).toBe(0);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-disposition']).toBe('inline; filename="my-photo.png"');
  });

  test('inline and linked_model fields, and an untrusted content type sniffed from the bytes', async () => {
    const res = await upload()
      .field('inline', 'true')
      .field('linked_model', 'messages')
      .attach('files', PDF, { filename: 'report.pdf', contentType: 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ disposition: 'inline', model_type: 'messages', content_type: 'application/pdf', meta: {} });
  });

  test('a non-image is served as an attachment, and the bytes are exact', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0]);
    const res = await upload().attach('files', bytes, { filename: 'blob.bin', contentType: 'application/x-custom' });
    expect(res.status).toBe(200);
    expect(res.body.data.content_type).toBe('application/x-custom');
    const file = await t.http.get(res.body.data.url).responseType('blob');
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body as Buffer, bytes)).toBe(0);
    expect(file.headers['content-disposition']).toBe('attachment; filename="blob.bin"');
  });

  test('SVG is never served inline', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await upload().attach('files', svg, { filename: 'x.svg', contentType: 'image/svg+xml' });
    const file = await t.http.get(res.body.data.url);
    expect(file.headers['content-disposition']).toMatch(/^attachment;/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
  });

  test('hostile file names never reach the file system', async () => {
    const cases: Array<[string, string]> = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\system32\\evil.exe', 'evil.exe'],
      ['/abs/path/to/x.txt', 'x.txt'],
      ['a\u0000b.txt', 'ab.txt'],
      ['résumé 日本 final.pdf', 'rsum--final.pdf'],
      ['日本語', 'file'],
    ];
    for (const [name, expected] of cases) {
      const { body, type } = multipart(name, Buffer.from('hello'), 'text/plain');
      const res = await upload().set('Content-Type', type).send(body);
      expect(res.status, name).toBe(200);
      expect(res.body.data.filename, name).toBe(expected);
    }
    // A name that is only a path step carries no file at all (the parser drops it).
    const dots = multipart('..', Buffer.from('hello'), 'text/plain');
    const dotsRes = await upload().set('Content-Type', dots.type).send(dots.body);
    expect(dotsRes.status).toBe(400);
    expect(dotsRes.body.message).toBe('File not found');

    const long = `${'a'.repeat(5000)}.txt`;
    const { body, type } = multipart(long, Buffer.from('hello'), 'text/plain');
    const res = await upload().set('Content-Type', type).send(body);
    expect(res.status).toBe(200);
    expect(res.body.data.filename.length).toBeLessThanOrEqual(200);
    expect(res.body.data.filename).toMatch(/^a+\.txt$/);
    // Only uuid-named files exist in the upload folder.
    for (const entry of readdirSync(join(t.config.DATA_DIR, 'uploads'))) {
      expect(entry).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(existsSync(join(t.config.DATA_DIR, 'passwd'))).toBe(false);
  });

  test('bad uploads are 4xx', async () => {
    const missing = await upload().field('inline', 'true');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ status: 'error', message: 'File not found', error_type: 'InputException' });

    const empty = await upload().attach('files', Buffer.alloc(0), { filename: 'empty.txt', contentType: 'text/plain' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('This file is 0 bytes, so it will not be attached.');

    const json = await upload().send({ files: 'abc' });
    expect(json.status).toBe(400);
    expect(json.body.status).toBe('error');

    const text = await upload().set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
    expect(text.body.status).toBe('error');

    const nothing = await upload();
    expect(nothing.status).toBe(400);

    const truncated = await upload()
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nabc');
    expect(truncated.status).toBe(400);

    const badInline = await upload().field('inline', 'maybe').attach('files', PDF, { filename: 'a.pdf' });
    expect(badInline.status).toBe(400);

    const wrongField = await upload().attach('file', PDF, { filename: 'a.pdf' });
    expect(wrongField.status).toBe(400);
  });

  test('oversize upload is 413 and leaves no file and no row behind', async () => {
    const uploads = join(t.config.DATA_DIR, 'uploads');
    const filesBefore = readdirSync(uploads).sort();
    const rowsBefore = await mediaRows(t);
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 7);
    const res = await upload().attach('files', big, { filename: 'big.bin', contentType: 'application/x-big' });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'PayloadTooLargeException' });
    // Nothing new on disk. (An earlier test's delete may still be removing its own files after its commit,
    // so the listing can shrink meanwhile; CI saw that once.)
    expect(readdirSync(uploads).filter((file) => !filesBefore.includes(file))).toEqual([]);
    expect(await mediaRows(t)).toBe(rowsBefore);
  });

  test('a file of many chunks is stored whole; its type and size come from the first bytes', async () => {
    const bytes = Buffer.concat([PNG_1x1, randomBytes(3 * 1024 * 1024)]);
    const res = await upload().attach('files', bytes, { filename: 'padded.png', contentType: 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ content_type: 'image/png', size: bytes.length, meta: { width: 1, height: 1 } });
    expect(Buffer.compare(readFileSync(join(t.config.DATA_DIR, 'uploads', res.body.data.uuid)), bytes)).toBe(0);
  });

  test('upload needs credentials; any agent may upload', async () => {
    const anon = await t.http.post('/api/v1/media').attach('files', PDF, { filename: 'a.pdf' });
    expect(anon.status).toBe(401);
    expect(anon.body.error_type).toBe('UnauthorizedException');
    const wrong = await t.http.post('/api/v1/media').set('Authorization', 'token nope:nope').attach('files', PDF, { filename: 'a.pdf' });
    expect(wrong.status).toBe(401);
    const agent = await createAgent(t);
    const ok = await t.http.post('/api/v1/media').set('Authorization', t.token(agent)).attach('files', PDF, { filename: 'a.pdf' });
    expect(ok.status).toBe(200);
  });

  test('download access: signature or credentials', async () => {
    const res = await upload().attach('files', PDF, { filename: 'doc.pdf', contentType: 'application/pdf' });
    const { uuid, url } = res.body.data;
    const params = new URL(url, 'http://x').searchParams;
    const exp = params.get('exp')!;
    const sig = params.get('sig')!;

    expect((await t.http.get(`/uploads/${uuid}`)).status).toBe(401);
    const bare = await t.http.get(`/uploads/${uuid}`).set('Authorization', t.token(t.admin));
    expect(bare.status).toBe(200);
    expect(bare.headers['content-type']).toBe('application/pdf');
    expect((await t.http.get(`/uploads/${uuid}`).set('Authorization', t.basic(t.admin))).status).toBe(200);
    expect((await t.http.get(`/uploads/${uuid}`).set('Authorization', 'token bad:bad')).status).toBe(401);

    const tampered = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    const badSig = await t.http.get(`/uploads/${uuid}?exp=${exp}&sig=${tampered}`);
    expect(badSig.status).toBe(401);
    expect(badSig.body).toMatchObject({ status: 'error', error_type: 'UnauthorizedException' });
    expect((await t.http.get(`/uploads/${uuid}?exp=${Number(exp) + 1000}&sig=${sig}`)).status).toBe(401);
    expect((await t.http.get(`/uploads/${uuid}?exp=abc&sig=${sig}`)).status).toBe(401);

    // A signature for another upload does not open this one.
    const other = await upload().attach('files', PDF, { filename: 'other.pdf' });
    const otherParams = new URL(other.body.data.url, 'http://x').searchParams;
    expect((await t.http.get(`/uploads/${uuid}?exp=${otherParams.get('exp')}&sig=${otherParams.get('sig')}`)).status).toBe(401);

    const expired = t.app.get(MediaUrlSigner).url(uuid, Date.now() - 2 * 3600 * 1000);
    const expiredRes = await t.http.get(expired);
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body.message).toMatch(/expired/);

    expect((await t.http.get(`/uploads/00000000-0000-4000-8000-000000000000`).set('Authorization', t.token(t.admin))).status).toBe(404);
    expect((await t.http.get(`/uploads/not-a-uuid`).set('Authorization', t.token(t.admin))).status).toBe(400);
  });

  test('the signing secret is generated once and kept in DATA_DIR', () => {
    const path = join(t.config.DATA_DIR, 'app-secret');
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o077).toBe(0);
    const uuid = '11111111-2222-4333-8444-555555555555';
    const url = t.app.get(MediaUrlSigner).url(uuid);
    const params = new URL(url, 'http://x').searchParams;
    const again = new MediaUrlSigner(t.config);
    expect(again.check(uuid, params.get('exp')!, params.get('sig')!)).toBe('valid');
    const other = new MediaUrlSigner(Object.assign(Object.create(Object.getPrototypeOf(t.config)), t.config, { APP_SECRET: 'another-secret' }));
    expect(other.check(uuid, params.get('exp')!, params.get('sig')!)).toBe('invalid');
  });

  test('media can be attached to a message once, listed and read back', async () => {
    const [{ id: inboxId }] = await t.dataSource.query(`INSERT INTO inboxes (name, channel) VALUES ('Media test', 'email') RETURNING id`);
    const [{ id: statusId }] = await t.dataSource.query(`SELECT id FROM conversation_statuses ORDER BY id LIMIT 1`);
    const [{ id: contactId }] = await t.dataSource.query(
      `INSERT INTO users (type, email, first_name) VALUES ('contact', 'media-contact@example.com', 'C') RETURNING id`,
    );
    const [{ id: conversationId }] = await t.dataSource.query(`INSERT INTO conversations (contact_id, inbox_id, status_id) VALUES ($1, $2, $3) RETURNING id`, [
      contactId,
      inboxId,
      statusId,
    ]);
    const message = async () =>
      (
        await t.dataSource.query(
          `INSERT INTO conversation_messages (type, status, conversation_id, sender_type) VALUES ('incoming', 'received', $1, 'contact') RETURNING id`,
          [conversationId],
        )
      )[0].id as number;
    const first = await message();
    const second = await message();
    const b = (await upload().attach('files', PDF, { filename: 'b.pdf' })).body.data;
    const a = (await upload().attach('files', PNG_1x1, { filename: 'a.png', contentType: 'image/png' })).body.data;
    const service = t.app.get(MediaService);

    await expect(t.dataSource.transaction((m) => service.attachToMessage(m, [a.id, 999999], first))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('999999'),
    });
    await t.dataSource.transaction((m) => service.attachToMessage(m, [b.id, a.id], first));
    await t.dataSource.transaction((m) => service.attachToMessage(m, [a.id], second));

    const attachments = await service.attachmentsForMessages([first, second]);
    expect(attachments.get(second)).toBeUndefined();
    const list = attachments.get(first)!;
    expect(list.map((x) => x.name)).toEqual(['a.png', 'b.pdf']);
    expect(list[0]).toEqual({
      name: 'a.png',
      size: PNG_1x1.length,
      content: null,
      content_id: '',
      content_type: 'image/png',
      disposition: 'attachment',
      uuid: a.uuid,
      url: expect.stringMatching(/^\/uploads\/[\w-]+\?exp=\d+&sig=/),
      thumbnail_url: expect.stringMatching(/^\/uploads\//),
    });
    expect(list[1].thumbnail_url).toBe('');
    expect((await t.http.get(list[1].url)).status).toBe(200);

    expect(Buffer.compare(await service.readContent(b.uuid), PDF)).toBe(0);
    expect((await service.findByIds([a.id]))[0]).toMatchObject({ id: a.id, model_type: 'messages', model_id: first });
  });
});

describe('media upload limits from config', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MEDIA_MAX_FILE_SIZE_MB: '1', MEDIA_ALLOWED_EXTENSIONS: 'png, .PDF', ROOT_URL: 'https://desk.example.com/' });
  });
  afterAll(async () => t?.close());

  test('the allow-list, the size limit and absolute URLs', async () => {
    const auth = t.token(t.admin);
    const txt = await t.http.post('/api/v1/media').set('Authorization', auth).attach('files', Buffer.from('x'), { filename: 'a.txt' });
    expect(txt.status).toBe(400);
    expect(txt.body.message).toBe('File type not allowed');
    const noExt = await t.http.post('/api/v1/media').set('Authorization', auth).attach('files', Buffer.from('x'), { filename: 'README' });
    expect(noExt.status).toBe(400);

    const pdf = await t.http.post('/api/v1/media').set('Authorization', auth).attach('files', PDF, { filename: 'A.pdf' });
    expect(pdf.status).toBe(200);
    expect(pdf.body.data.url).toMatch(/^https:\/\/desk\.example\.com\/uploads\/[\w-]+\?exp=\d+&sig=/);
    expect((await t.http.get(urlPath(pdf.body.data.url))).status).toBe(200);

    const big = await t.http
      .post('/api/v1/media')
      .set('Authorization', auth)
      .attach('files', Buffer.alloc(1024 * 1024 + 1), { filename: 'big.png' });
    expect(big.status).toBe(413);
    const exact = await t.http
      .post('/api/v1/media')
      .set('Authorization', auth)
      .attach('files', Buffer.alloc(1024 * 1024, 1), { filename: 'exact.png' });
    expect(exact.status).toBe(200);
    expect(exact.body.data.meta).toEqual({});
  });
});

describe('media on the S3 store', () => {
  let t: TestApp;
  let s3: S3rverInstance;
  let s3Dir: string;
  let s3Client: S3Client;
  const keys = async () => ((await s3Client.send(new ListObjectsV2Command({ Bucket: 'media-test' }))).Contents ?? []).map((o) => o.Key).sort();
  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 's3rver-'));
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: 'media-test', configs: [] }] });
    const address = await s3.run();
    s3Client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${address.port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    t = await startTestApp({
      MEDIA_STORE: 's3',
      S3_BUCKET: 'media-test',
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    });
  });
  afterAll(async () => {
    await t?.close();
    s3Client?.destroy();
    await s3?.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  test('bytes round-trip through S3', async () => {
    const bytes = Buffer.concat([PNG_1x1, Buffer.alloc(0)]);
    const res = await t.http
      .post('/api/v1/media')
      .set('Authorization', t.token(t.admin))
      .attach('files', bytes, { filename: 's3 image.png', contentType: 'image/png' });
    expect(res.status).toBe(200);
    expectSchema(res.body.data, 'Media');
    expect(res.body.data).toMatchObject({ store: 's3', filename: 's3-image.png', meta: { width: 1, height: 1 } });
    expect(existsSync(join(t.config.DATA_DIR, 'uploads', res.body.data.uuid))).toBe(false);

    const redirect = await t.http.get(res.body.data.url).redirects(0);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media-test\/[\w-]+\?.*X-Amz-Signature=/);
    const file = await fetch(redirect.headers.location);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toBe('inline; filename="s3-image.png"');
    expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), bytes)).toBe(0);

    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const up = await t.http
      .post('/api/v1/media')
      .set('Authorization', t.token(t.admin))
      .attach('files', binary, { filename: 'data.bin', contentType: 'application/x-data' });
    expect(up.status).toBe(200);
    const down = await fetch((await t.http.get(up.body.data.url).redirects(0)).headers.location);
    expect(down.headers.get('content-disposition')).toBe('attachment; filename="data.bin"');
    expect(Buffer.compare(Buffer.from(await down.arrayBuffer()), binary)).toBe(0);
    expect(Buffer.compare(await t.app.get(MediaService).readContent(up.body.data.uuid), binary)).toBe(0);
  });

  test('a large file goes up in parts; an oversize one leaves no object and no row', async () => {
    const big = Buffer.concat([PNG_1x1, randomBytes(12 * 1024 * 1024)]);
    const up = await t.http.post('/api/v1/media').set('Authorization', t.token(t.admin)).attach('files', big, { filename: 'big.png' });
    expect(up.status).toBe(200);
    expect(up.body.data).toMatchObject({ store: 's3', size: big.length, content_type: 'image/png', meta: { width: 1, height: 1 } });
    const down = await fetch((await t.http.get(up.body.data.url).redirects(0)).headers.location);
    expect(Buffer.compare(Buffer.from(await down.arrayBuffer()), big)).toBe(0);

    const before = await keys();
    const rowsBefore = await mediaRows(t);
    const over = await t.http
      .post('/api/v1/media')
      .set('Authorization', t.token(t.admin))
      .attach('files', Buffer.alloc(20 * 1024 * 1024 + 1, 3), { filename: 'over.bin' });
    expect(over.status).toBe(413);
    expect(await keys()).toEqual(before);
    expect(await mediaRows(t)).toBe(rowsBefore);
  });

  test('a row whose object is gone is 404', async () => {
    const res = await t.http.post('/api/v1/media').set('Authorization', t.token(t.admin)).attach('files', PDF, { filename: 'gone.pdf' });
    const { uuid } = res.body.data;
    await t.dataSource.query(`UPDATE media SET uuid = gen_random_uuid() WHERE uuid = $1`, [uuid]);
    const [{ uuid: moved }] = await t.dataSource.query(`SELECT uuid FROM media WHERE id = $1`, [res.body.data.id]);
    expect((await t.http.get(`/uploads/${moved}`).set('Authorization', t.token(t.admin))).status).toBe(404);
  });
});
