import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { type AttemptResult, isRetryableStatus, parseRetryAfter } from './delivery-policy.js';
import { guardedLookup, hostOf, isForbiddenAddress, parseTargetUrl, TargetRefused } from './target-guard.js';
import type { PayloadFormat } from './entities/webhook.entity.js';
import { libredeskSignatureHeaders, signatureHeaders } from './webhook-signing.js';

const MAX_RESPONSE_SNIPPET = 512;
const USER_AGENT = 'Libredesk-Webhooks/1.0';
/** Upstream's `Libredesk-Webhook/<version>`, for receivers written for Libredesk. */
const LIBREDESK_USER_AGENT = 'Libredesk-Webhook/1.0';

export interface OutgoingWebhook {
  url: string;
  secret: string;
  /** The event id, sent as `webhook-id`: the same on every retry, so receivers can drop duplicates. */
  id: string;
  body: string;
  /** Decides the signature headers: Standard Webhooks plus `X-Libredesk-Signature`, or upstream's alone. */
  format: PayloadFormat;
}

/** POSTs one signed webhook and reports how it went; never throws. */
@Injectable()
export class WebhookSender {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  async send(hook: OutgoingWebhook): Promise<AttemptResult> {
    const url = parseTargetUrl(hook.url);
    if (typeof url === 'string') return { ok: false, status: null, error: `Invalid URL: ${url}`, retryable: false };
    const allowPrivate = this.config.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    if (!allowPrivate && isIP(hostOf(url)) && isForbiddenAddress(hostOf(url))) {
      return { ok: false, status: null, error: `Refused: ${hostOf(url)} is a loopback, private, link-local or reserved address`, retryable: false };
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': hook.format === 'libredesk' ? LIBREDESK_USER_AGENT : USER_AGENT,
      'content-length': String(Buffer.byteLength(hook.body)),
      ...(hook.format === 'libredesk'
        ? libredeskSignatureHeaders(hook.secret, hook.id, hook.body)
        : signatureHeaders(hook.secret, hook.id, Math.floor(Date.now() / 1000), hook.body)),
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = transport.request(url, {
        method: 'POST',
        headers,
        agent: false,
        lookup: allowPrivate ? undefined : guardedLookup,
      });
      const timer = setTimeout(() => {
        finish({ ok: false, status: null, error: `Timed out after ${this.config.WEBHOOK_TIMEOUT_MS} ms`, retryable: true });
        req.destroy();
      }, this.config.WEBHOOK_TIMEOUT_MS);
      req.on('error', (err) => {
        const refused = err instanceof TargetRefused;
        finish({ ok: false, status: null, error: refused ? `Refused: ${err.message}` : `Network error: ${err.message}`, retryable: !refused });
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        let snippet = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (snippet.length < MAX_RESPONSE_SNIPPET) snippet += chunk.slice(0, MAX_RESPONSE_SNIPPET - snippet.length);
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (status >= 200 && status < 300) return finish({ ok: true, status });
          const reason = status >= 300 && status < 400 ? 'redirects are not followed' : snippet.trim();
          finish({
            ok: false,
            status,
            error: `HTTP ${status}${reason ? `: ${reason}` : ''}`,
            retryable: isRetryableStatus(status),
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          });
        });
      });
      req.end(hook.body);
    });
  }
}
