import { extname } from 'node:path';

const MAX_FILENAME_LENGTH = 200;

/**
 * Reference §7.1: base name only, trimmed, whitespace runs to `-`, only `[a-zA-Z0-9-_.]`, lower-case.
 * The result is only ever a label: files are stored by uuid.
 */
export function sanitizeFilename(raw: string | undefined | null): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  let name = base
    .trim()
    .replace(/\s+/g, '-')
    .replace(/[^a-zA-Z0-9\-_.]/g, '')
    .toLowerCase()
    .replace(/^\.+/, '');
  if (name.length > MAX_FILENAME_LENGTH) {
    const ext = extname(name).slice(0, 20);
    name = name.slice(0, MAX_FILENAME_LENGTH - ext.length) + ext;
  }
  return name || 'file';
}

/** The lower-case extension without its dot ('' when none). */
export const extensionOf = (filename: string): string => extname(filename).slice(1).toLowerCase();
