import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { EnvironmentVariables } from '../../../shared/config/app-config.js';
import { type DirectDownload, type DirectDownloadOptions, MediaStore, type StoredObject, assertUuid } from './media-store.js';

/** S3's smallest part; with two parts in flight an upload holds about 10 MB, whatever its size. */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

type S3Config = Pick<EnvironmentVariables, 'S3_BUCKET' | 'S3_REGION' | 'S3_ENDPOINT' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'>;

/** Objects keyed by uuid in one bucket of any S3-compatible service. */
export class S3MediaStore extends MediaStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: S3Config) {
    super();
    if (!config.S3_BUCKET) throw new Error('MEDIA_STORE=s3 needs S3_BUCKET');
    this.bucket = config.S3_BUCKET;
    this.client = new S3Client({
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      // Many S3-compatible services reject the SDK's default CRC32 checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
    });
  }

  /** A multipart upload (a single PUT for a small file); a failed one is aborted, so no parts are left. */
  async write(uuid: string, body: Readable, contentType: string): Promise<void> {
    assertUuid(uuid);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: uuid, Body: body, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  /** A presigned GET that also sets the response's type and disposition; `missing` when there is no such object. */
  async directDownload(uuid: string, options: DirectDownloadOptions): Promise<DirectDownload> {
    assertUuid(uuid);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: uuid }));
    } catch (err) {
      if (isMissing(err)) return 'missing';
      throw err;
    }
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: uuid,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: `${options.disposition}; filename="${options.filename}"`,
    });
    return { url: await getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds }) };
  }

  async open(uuid: string): Promise<StoredObject | null> {
    assertUuid(uuid);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: uuid }));
      return { body: out.Body as Readable, size: out.ContentLength };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async remove(uuid: string): Promise<void> {
    assertUuid(uuid);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: uuid }));
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }
}

function isMissing(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return err instanceof NoSuchKey || err instanceof NotFound || name === 'NoSuchKey' || name === 'NotFound';
}
