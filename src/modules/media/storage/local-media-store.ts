import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MediaStore, type StoredObject, assertUuid } from './media-store.js';

/** Files at `<DATA_DIR>/uploads/<uuid>`, written to a temporary name first so readers never see half a file. */
export class LocalMediaStore extends MediaStore {
  readonly kind = 'fs' as const;
  private readonly root: string;

  constructor(dataDir: string) {
    super();
    this.root = resolve(dataDir, 'uploads');
  }

  async write(uuid: string, body: Readable): Promise<void> {
    const path = this.pathOf(uuid);
    await mkdir(this.root, { recursive: true });
    const temporary = `${path}.part`;
    try {
      await pipeline(body, createWriteStream(temporary, { mode: 0o640 }));
      await rename(temporary, path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  async open(uuid: string): Promise<StoredObject | null> {
    const path = this.pathOf(uuid);
    try {
      const info = await stat(path);
      return { body: createReadStream(path), size: info.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async remove(uuid: string): Promise<void> {
    await rm(this.pathOf(uuid), { force: true });
  }

  private pathOf(uuid: string): string {
    assertUuid(uuid);
    return join(this.root, uuid.toLowerCase());
  }
}
