import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { EnvironmentVariables } from '../../../shared/config/app-config.js';
import { MediaStore, type StoredObject, assertUuid } from './media-store.js';

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

  async put(uuid: string, content: Buffer, contentType: string): Promise<void> {
    assertUuid(uuid);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: uuid, Body: content, ContentType: contentType }));
  }

  async open(uuid: string): Promise<StoredObject | null> {
    assertUuid(uuid);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: uuid }));
      return { body: out.Body as Readable, size: out.ContentLength };
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
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
