import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../src/bootstrap.js';
import { AgentsService } from '../../src/modules/agents/agents.service.js';
import { validateEnvironment, type EnvironmentVariables } from '../../src/shared/config/app-config.js';
import { PGLITE_EXTENSIONS } from '../../src/shared/database/data-source-options.js';
import { createFastifyAdapter } from '../../src/shared/http/fastify.js';
import { ContractValidator, contractValidator, servedDocumentValidator } from './contract-validator.js';
import type { OpenApiDocument } from '../../src/shared/openapi/contract.js';
import { withDatabase } from './global-setup.js';

export interface Credentials {
  id: number;
  email: string;
  api_key: string;
  api_secret: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: EnvironmentVariables;
  dataSource: DataSource;
  admin: Credentials;
  /**
   * supertest against the running app. Every response is checked against the served `/docs-json`
   * when it arrives (see contract-validator.ts): a 200 from any documented operation (the contract's
   * and the extensions) against its schema, errors against the error envelope. Opt out per request
   * with `withoutContractCheck(req)`.
   */
  http: ReturnType<typeof supertest>;
  /** supertest without the contract check, for requests that deliberately break the rules. */
  rawHttp: ReturnType<typeof supertest>;
  /** `Authorization: token key:secret` for a credential pair. */
  token(c: Pick<Credentials, 'api_key' | 'api_secret'>): string;
  basic(c: Pick<Credentials, 'api_key' | 'api_secret'>): string;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule through @nestjs/testing on a fresh database: a PGlite loaded from the
 * migrated template, or (with DATABASE_URL) a new PostgreSQL database cloned from the template.
 * An admin with a key pair is created for the test file.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'libredesk-data-'));
  let pglite: PGlite | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  const base: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env };
  const template = inject('pgTemplate');
  if (template && process.env.DATABASE_URL) {
    const name = `libredesk_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    base.DATABASE_URL = withDatabase(process.env.DATABASE_URL, name);
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    delete base.DATABASE_URL;
    const blob = new Blob([readFileSync(inject('pgliteTemplate'))]);
    pglite = await PGlite.create({ loadDataDir: blob, extensions: PGLITE_EXTENSIONS });
  }
  const config = validateEnvironment(base);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config, pglite })] }).compile();
  moduleRef.useLogger(['error', 'fatal']);
  const app = await configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), APP_OPTIONS));
  const admin = await app.get(AgentsService).createAdmin('admin@test.local', 'Ada', 'Admin');
  const docs = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
  const validator = servedDocumentValidator(docs.json<OpenApiDocument>());
  const token = (c: Pick<Credentials, 'api_key' | 'api_secret'>) => `token ${c.api_key}:${c.api_secret}`;
  const basic = (c: Pick<Credentials, 'api_key' | 'api_secret'>) => `Basic ${Buffer.from(`${c.api_key}:${c.api_secret}`).toString('base64')}`;
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    admin,
    http: withContractCheck(supertest(app.getHttpServer()), validator),
    rawHttp: supertest(app.getHttpServer()),
    token,
    basic,
    close: async () => {
      await app.close();
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const SKIP_CONTRACT = Symbol('skip contract check');
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options']);

interface PendingTest {
  [SKIP_CONTRACT]?: boolean;
  _asserts: Array<(res: supertest.Response) => unknown>;
  end(fn?: unknown): unknown;
}

/** Leaves this one request's response unchecked against the contract. */
export function withoutContractCheck<T extends supertest.Test>(req: T): T {
  (req as unknown as PendingTest)[SKIP_CONTRACT] = true;
  return req;
}

/**
 * Wraps supertest so that each request, when it completes, also asserts its response against the
 * contract. The check runs after the test's own `.expect(...)` assertions, so those report first.
 */
export function withContractCheck(agent: ReturnType<typeof supertest>, validator: ContractValidator = contractValidator()): ReturnType<typeof supertest> {
  return new Proxy(agent, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !VERBS.has(prop) || typeof value !== 'function') return value;
      const method = prop === 'del' ? 'delete' : prop;
      return (url: string, ...rest: unknown[]) => {
        const req = (value as (...args: unknown[]) => PendingTest).call(target, url, ...rest);
        const end = req.end.bind(req);
        let armed = false;
        req.end = (fn?: unknown) => {
          if (!armed && !req[SKIP_CONTRACT]) req._asserts.push((res) => validator.assertResponse(method, url, res));
          armed = true;
          return end(fn);
        };
        return req;
      };
    },
  });
}
