import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
/** A flag: unset or blank is the default; `true`, `1` and `yes` (any case) are true, anything else false. */
const toBool =
  (fallback: boolean) =>
  ({ value }: { value: unknown }) =>
    value === undefined || value === ''
      ? fallback
      : value === true || ((typeof value === 'string' || typeof value === 'number') && /^(true|1|yes)$/i.test(String(value)));
const blankToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * The process environment, validated once at boot. Every setting the server reads lives here,
 * so a bad value stops the server with a message that names the variable.
 * Later modules add their settings to this class the same way.
 */
export class EnvironmentVariables {
  @Transform(toInt)
  @IsInt({ message: 'PORT must be an integer' })
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '0.0.0.0';

  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** Read replicas of DATABASE_URL (comma list): list and search reads go to them (README: Read replicas). */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^\s*postgres(ql)?:\/\/[^\s,]+\s*(,\s*postgres(ql)?:\/\/[^\s,]+\s*)*$/, {
    message: 'DATABASE_REPLICA_URLS must be a comma-separated list of postgres:// or postgresql:// URLs',
  })
  DATABASE_REPLICA_URLS?: string;

  @IsString()
  DATA_DIR = './data';

  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'log';

  /** `json`: one JSON object per line (for a log collector); `pretty`: coloured text. Unset: pretty on a terminal, else json. */
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : typeof value === 'string' ? value.toLowerCase() : value))
  @IsOptional()
  @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: 'json' | 'pretty';

  /** Largest JSON body accepted, in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Size of the pg connection pool when DATABASE_URL is set. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Prometheus metrics at GET /metrics (README: Metrics). */
  @Transform(toBool(true))
  @IsBoolean()
  METRICS_ENABLED = true;

  /** When set, a scrape of /metrics needs `Authorization: Bearer <token>`. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  METRICS_TOKEN?: string;

  /** Secret for encrypting stored provider keys and signing URLs. Derived from DATA_DIR state when unset. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  APP_SECRET?: string;

  /** Absolute base URL clients reach this server at (used in generated links). */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'ROOT_URL must be an http(s) URL' })
  ROOT_URL?: string;

  /** Media uploads: where files live (`fs` under DATA_DIR/uploads, or `s3`), size limit and allow-list. */
  @IsIn(['fs', 's3'], { message: 'MEDIA_STORE must be fs or s3' })
  MEDIA_STORE: 'fs' | 's3' = 'fs';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  MEDIA_MAX_FILE_SIZE_MB = 20;

  /** Comma-separated extensions (`png,jpg,pdf`) or `*` for any. */
  @IsString()
  MEDIA_ALLOWED_EXTENSIONS = '*';

  @Transform(toInt)
  @IsInt()
  @Min(60)
  MEDIA_URL_EXPIRY_SECONDS = 3600;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  S3_BUCKET?: string;

  @IsString()
  S3_REGION = 'us-east-1';

  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool(false))
  @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  /** Global SMTP server, used for an email inbox that has no SMTP settings of its own. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  SMTP_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT = 587;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  SMTP_USERNAME?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  SMTP_PASSWORD?: string;

  @IsIn(['none', 'starttls', 'tls'], { message: 'SMTP_TLS must be none, starttls or tls' })
  SMTP_TLS: 'none' | 'starttls' | 'tls' = 'starttls';

  /** Sender address (`Name <addr>` or `addr`) for an inbox without a `from` of its own. */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  INBOX_EMAIL?: string;

  /** Outgoing email worker: runs in the server process unless disabled. */
  @Transform(toBool(true))
  @IsBoolean()
  MAIL_WORKER_ENABLED = true;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  MAIL_POLL_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  MAIL_MAX_ATTEMPTS = 5;

  /** First retry delay; each further attempt doubles it (capped at an hour). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  MAIL_RETRY_BASE_MS = 30_000;

  /** How long a claimed email stays locked to its worker; a crashed worker's claims expire after this. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  MAIL_LEASE_SECONDS = 300;

  /** Inbound email (IMAP): `false` keeps this process from receiving for any inbox. */
  @Transform(toBool(true))
  @IsBoolean()
  MAIL_RECEIVER_ENABLED = true;

  /** How long one process holds the right to receive for an inbox; it renews it while connected. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  MAIL_RECEIVER_LEASE_SECONDS = 60;

  /** How often the receiver looks for inboxes whose IMAP settings changed (or whose holder went away). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  MAIL_RECEIVER_SCAN_INTERVAL_MS = 10_000;

  /** A larger email is imported from its headers and text only (no attachments). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  MAIL_RECEIVER_MAX_MESSAGE_MB = 50;

  /** IMAP mailbox of the default inbox (applied on every start, like SMTP_*). */
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  IMAP_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  IMAP_PORT = 993;

  @IsIn(['none', 'starttls', 'tls'], { message: 'IMAP_TLS must be none, starttls or tls' })
  IMAP_TLS: 'none' | 'starttls' | 'tls' = 'tls';

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  IMAP_USERNAME?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  IMAP_PASSWORD?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  IMAP_MAILBOX?: string;

  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(86_400)
  IMAP_POLL_INTERVAL_SECONDS = 60;

  /** AI completions: any OpenAI-compatible chat-completions endpoint (OpenAI when unset), model and per-call timeout. */
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OPENAI_BASE_URL must be an http(s) URL' })
  OPENAI_BASE_URL?: string;

  @IsString()
  @Matches(/\S/, { message: 'OPENAI_MODEL must not be blank' })
  OPENAI_MODEL = 'gpt-4o-mini';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  OPENAI_TIMEOUT_MS = 10_000;

  /** Rate limits, counted in Postgres so every instance shares them (README: Rate limits). */
  @Transform(toBool(true))
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  /** Requests per API key per window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 3000;

  /** Failed authentications per client address per window; past it the address gets 429 until the window ends. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_FAILURE_LIMIT_PER_MINUTE = 60;

  /** Length of the rate-limit window; the limits above are per minute at the default. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Browser origins allowed by CORS: a comma-separated list of `scheme://host[:port]`, or `*`; none when empty. */
  @IsString()
  @Matches(/^\s*(\*|(https?:\/\/([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?\/?)(\s*,\s*https?:\/\/([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?\/?)*)?\s*$/i, {
    message: 'CORS_ORIGINS must be `*` or a comma-separated list of origins (scheme://host[:port])',
  })
  CORS_ORIGINS = '';

  /**
   * Which proxies to trust for the client address (X-Forwarded-For): `false` (none, the default),
   * `true` (any), a hop count, or a comma-separated list of addresses and CIDR ranges.
   */
  @IsString()
  @Matches(/^\s*(true|false|\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)\s*$/i, {
    message: 'TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses',
  })
  TRUST_PROXY = 'false';

  /**
   * How often each server gives ids to newly committed events (and wakes long-polling feed readers).
   * Readers number what has committed before they read, so this bounds only long-poll latency.
   */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  EVENT_SEQUENCER_INTERVAL_MS = 100;

  /** Events older than this many days are pruned (0 keeps them forever); a feed cursor behind them answers 410. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(36_500)
  EVENT_RETENTION_DAYS = 30;

  /** Finished webhook deliveries older than this many days are pruned (0 keeps them forever). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(36_500)
  WEBHOOK_DELIVERY_RETENTION_DAYS = 30;

  /**
   * How often each server prunes expired events and deliveries (in small batches, back to back while a
   * backlog lasts). At most 4 minutes: readiness counts a worker idle for 5 as stalled.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(240_000)
  RETENTION_INTERVAL_MS = 60_000;

  /** Webhook delivery worker: runs in the server process unless disabled; polls the event log for new events. */
  @Transform(toBool(true))
  @IsBoolean()
  WEBHOOK_WORKER_ENABLED = true;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  WEBHOOK_POLL_INTERVAL_MS = 1000;

  /** Per-attempt deadline for a receiver to answer. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** Attempts per event and webhook before the delivery finally fails. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  WEBHOOK_MAX_ATTEMPTS = 12;

  /** First retry delay; each further attempt doubles it, up to WEBHOOK_RETRY_MAX_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  WEBHOOK_RETRY_BASE_MS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  WEBHOOK_RETRY_MAX_MS = 3_600_000;

  /** A webhook is disabled after this many deliveries in a row finally failed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_DISABLE_AFTER_FAILURES = 5;

  /** Allows webhook URLs on loopback, private, link-local and metadata addresses (SSRF guard off). */
  @Transform(toBool(false))
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_TARGETS = false;
}

export class ConfigValidationError extends Error {}

export function validateEnvironment(env: Record<string, string | undefined> = process.env): EnvironmentVariables {
  // whitelist drops every variable that is not declared above, so the rest of the environment never leaks in.
  const config = plainToInstance(EnvironmentVariables, { ...env }, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}

/** Injection token and typed accessor for the validated configuration. */
export abstract class AppConfig extends EnvironmentVariables {}
