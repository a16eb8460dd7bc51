#!/usr/bin/env node
/**
 * npm run fuzz -- [--requests 10000] [--seed 1] [--concurrency 8] [--only 12,345] [--keep]
 *
 * Builds the server, starts it (embedded PGlite, or a fresh database on DATABASE_URL), sends
 * generated schema-breaking requests to every operation and prints the counts by status and by
 * operation, and every 5xx with the request that caused it. Exits 1 on any failure.
 * The generator lives in test/support/fuzz (TypeScript, loaded through Vite's module runner).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
  },
});
const int = (name, min) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer ≥ ${min}\n`);
    process.exit(2);
  }
  return n;
};
const options = {
  root,
  requests: int('requests', 1),
  seed: int('seed', 0),
  concurrency: int('concurrency', 1),
  only: values.only ? values.only.split(',').map(Number) : undefined,
  keep: values.keep,
};

// A private build (not dist/), so a concurrent `npm run build` or test never swaps files under the fuzzed server.
const buildDir = join(root, '.tmp', 'fuzz-build');
options.serverEntry = join(buildDir, 'src', 'main.js');
if (!values['skip-build']) {
  process.stdout.write('Building the server…\n');
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', buildDir, '--tsBuildInfoFile', join(buildDir, '.tsbuildinfo')], {
    cwd: root,
    stdio: 'inherit',
  });
}
const { module } = await runnerImport(join(root, 'test/support/fuzz/cli.ts'), { configFile: false, logLevel: 'error', root });
process.exit(await module.main(options));
