import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Reads `.env` from the working directory when there is one (the format of `.env.example`). A
 * variable already in the environment wins over the file, so a container's or a shell's setting
 * always overrides it.
 */
export function loadEnvFile(path = resolve('.env')): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
