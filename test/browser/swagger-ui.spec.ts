import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { OpenApiDocument } from '../../src/shared/openapi/contract.js';
import { startTestApp, type Credentials, type TestApp } from '../support/test-app.js';

/** Debian's package; CHROMIUM_PATH points elsewhere (e.g. to check the skip). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!existsSync(CHROMIUM)) {
  console.warn(`[swagger-ui] ${CHROMIUM} not found: the Swagger UI browser test is SKIPPED. Install it with scripts/ensure-chromium.sh.`);
  test.skip(`Swagger UI in a real browser (skipped: ${CHROMIUM} not found; run scripts/ensure-chromium.sh)`, () => {});
} else {
  describe('Swagger UI in headless Chromium', () => {
    let t: TestApp;
    let browser: Browser;
    let baseUrl: string;
    let agent: Credentials;
    let served: OpenApiDocument;

    beforeAll(async () => {
      t = await startTestApp();
      await t.app.listen(0, '127.0.0.1');
      baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      const created = await t.http
        .post('/api/v1/agents')
        .set('Authorization', t.token(t.admin))
        .send({ email: 'swagger.user@example.com', first_name: 'Swagger', last_name: 'User', roles: ['Agent'] })
        .expect(200);
      const key = await t.http.post(`/api/v1/agents/${created.body.data.id}/api-key`).set('Authorization', t.token(t.admin)).expect(200);
      agent = { id: created.body.data.id, email: created.body.data.email, ...key.body.data };
      served = (await t.http.get('/docs-json').expect(200)).body;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    interface Session {
      context: BrowserContext;
      page: Page;
      problems: string[];
      authorizations: string[];
    }

    /** A fresh browser profile on /docs that records console errors, page errors and any request leaving the app. */
    async function openDocs(): Promise<Session> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      const authorizations: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(baseUrl) || url.startsWith('data:')) return route.continue();
        problems.push(`request outside the app: ${url}`);
        return route.abort();
      });
      page.on('request', (r) => {
        if (r.url().endsWith('/api/v1/agents/me')) authorizations.push(r.headers().authorization ?? '');
      });
      await page.goto(`${baseUrl}/docs`, { waitUntil: 'load' });
      await page.locator('.swagger-ui .information-container .title').waitFor();
      return { context, page, problems, authorizations };
    }

    async function authorize(page: Page, scheme: 'basicAuth' | 'tokenAuth', fill: (box: ReturnType<Page['locator']>) => Promise<void>) {
      await page.locator('.scheme-container button.authorize').click();
      const box = page.locator('.auth-container').filter({ has: page.locator('h4', { hasText: scheme }) });
      await fill(box);
      await box.locator('button.authorize').click();
      await box.locator('button', { hasText: 'Logout' }).waitFor({ timeout: 10_000 });
      await page.locator('.modal-ux button.close-modal').click();
    }

    /** "Try it out" sends requests to the server picked in the UI; it must be the one serving the page. */
    async function expectTryItOutTargetsThisServer(page: Page) {
      const select = page.locator('.scheme-container .servers select');
      const server = (await select.count()) ? await select.inputValue() : '/';
      expect(
        new URL(server, page.url()).origin,
        `Swagger UI would send "Try it out" to ${server}, not to the server at ${baseUrl} that serves /docs: the served document's servers must include this server (e.g. { url: '/' })`,
      ).toBe(new URL(baseUrl).origin);
    }

    /** Expands GET /api/v1/agents/me, runs "Try it out" → Execute, and returns the live response. */
    async function tryGetMe(page: Page): Promise<{ status: string; body: { status: string; data: { id: number; email: string } } }> {
      await expectTryItOutTargetsThisServer(page);
      const op = page.locator('#operations-Agents-handleGetCurrentAgent');
      await op.locator('.opblock-summary').first().click();
      await op.locator('button.try-out__btn').click();
      await op.locator('button.execute').click();
      const live = op.locator('.live-responses-table .response');
      await live.locator('.response-col_status').waitFor();
      const status = (await live.locator('.response-col_status').innerText()).trim();
      const text = await live.locator('.response-col_description pre').first().innerText();
      return { status, body: JSON.parse(text) };
    }

    test('the page: title, authentication guide, operations grouped by the contract tags, no errors', async () => {
      const { context, page, problems } = await openDocs();
      await expect(page.locator('.information-container .title').innerText()).resolves.toMatch(/^Libredesk API/);
      expect.soft(await page.title(), 'the browser tab title (SwaggerModule.setup customSiteTitle)').toBe('Libredesk API');
      const info = await page.locator('.information-container .description').innerText();
      expect(info).toMatch(/Authentication/);
      expect(info).toMatch(/Basic Authentication[\s\S]*Authorization: Basic/);
      expect(info).toMatch(/Token Authentication[\s\S]*Authorization: token api_key:api_secret/);

      const expected = new Map<string, string[]>();
      for (const [path, item] of Object.entries(served.paths)) {
        for (const [method, op] of Object.entries(item)) {
          for (const tag of op.tags ?? ['default']) expected.set(tag, [...(expected.get(tag) ?? []), `${method} ${path}`]);
        }
      }
      const shown = await page.locator('.opblock-tag-section').evaluateAll((sections) =>
        sections.map((s) => ({
          tag: s.querySelector('.opblock-tag')?.getAttribute('data-tag') ?? '',
          ops: [...s.querySelectorAll('.opblock')].map(
            (o) =>
              `${o.querySelector('.opblock-summary-method')?.textContent?.toLowerCase()} ${o.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
          ),
        })),
      );
      const sorted = (m: Map<string, string[]>) => [...m].map(([tag, ops]) => ({ tag, ops: [...ops].sort() })).sort((a, b) => a.tag.localeCompare(b.tag));
      expect(sorted(new Map(shown.map((s) => [s.tag, s.ops])))).toEqual(sorted(expected));
      expect(shown.map((s) => s.tag)).toEqual(expect.arrayContaining(['Agents', 'Health']));

      const shot = join(mkdtempSync(join(tmpdir(), 'swagger-ui-')), 'swagger-ui.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`[swagger-ui] screenshot: ${shot}`);
      expect(existsSync(shot)).toBe(true);
      expect(problems).toEqual([]);
      await context.close();
    });

    test('Basic scheme with a generated key: Try it out on GET /api/v1/agents/me answers 200 with the agent', async () => {
      const { context, page, problems, authorizations } = await openDocs();
      await authorize(page, 'basicAuth', async (box) => {
        await box.locator('input[type="text"]').fill(agent.api_key);
        await box.locator('input[type="password"]').fill(agent.api_secret);
      });
      const res = await tryGetMe(page);
      expect(res.status).toBe('200');
      expect(res.body).toMatchObject({ status: 'success', data: { id: agent.id, email: 'swagger.user@example.com' } });
      expect(authorizations).toEqual([t.basic(agent)]);
      const shot = join(mkdtempSync(join(tmpdir(), 'swagger-ui-')), 'try-it-out-basic.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`[swagger-ui] screenshot: ${shot}`);
      expect(problems).toEqual([]);
      await context.close();
    });

    test('token scheme: Try it out on GET /api/v1/agents/me answers 200 with the agent', async () => {
      const { context, page, problems, authorizations } = await openDocs();
      await authorize(page, 'tokenAuth', async (box) => {
        await box.locator('input').first().fill(`token ${agent.api_key}:${agent.api_secret}`);
      });
      const res = await tryGetMe(page);
      expect(res.status).toBe('200');
      expect(res.body).toMatchObject({ status: 'success', data: { id: agent.id, email: 'swagger.user@example.com' } });
      expect(authorizations).toEqual([t.token(agent)]);
      expect(problems).toEqual([]);
      await context.close();
    });
  });
}
