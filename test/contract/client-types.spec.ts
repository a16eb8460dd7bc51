import { readFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, generateClientTypes } from '../../scripts/gen-client.mjs';

test('client/libredesk.d.ts is what `npm run gen:client` generates from the contract', async () => {
  const committed = readFileSync(CLIENT_TYPES_PATH, 'utf8');
  const fresh = await generateClientTypes();
  expect(committed === fresh, 'client/libredesk.d.ts is stale: run `npm run gen:client` and commit the result').toBe(true);
});
