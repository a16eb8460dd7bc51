import { Inject, Injectable, Logger } from '@nestjs/common';
import type * as OpenAiModule from 'openai';
import { AppConfig } from '../../shared/config/app-config.js';
import { UpstreamError } from '../../shared/http/errors.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

type OpenAiSdk = typeof OpenAiModule;
let sdk: Promise<OpenAiSdk> | undefined;
// Loaded at the first completion: most deployments never call it, and the client costs ~5 MB resident.
const loadSdk = (): Promise<OpenAiSdk> => (sdk ??= import('openai'));

export interface CompletionRequest {
  apiKey: string;
  instruction: string;
  content: string;
}

/**
 * Chat completions through the official `openai` client at OPENAI_BASE_URL (OpenAI or any
 * compatible server). One attempt with a hard deadline covering the whole exchange, so a stuck
 * provider cannot hold a request. Failures become 502/503/504 whose messages never echo the key or
 * the provider's own error text.
 */
@Injectable()
export class OpenAiCompletionClient {
  private readonly logger = new Logger('AI');

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  async complete({ apiKey, instruction, content }: CompletionRequest): Promise<string> {
    const { OPENAI_MODEL: model, OPENAI_TIMEOUT_MS: timeout } = this.config;
    const openai = await loadSdk();
    const OpenAI = openai.default;
    // Every option is explicit so OPENAI_* variables outside the validated config are never read by the client.
    const client = new OpenAI({
      apiKey,
      baseURL: this.config.OPENAI_BASE_URL ?? DEFAULT_BASE_URL,
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      timeout,
      maxRetries: 0,
      logLevel: 'off',
    });
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeout);
    let completion: unknown;
    try {
      completion = await client.chat.completions.create(
        {
          model,
          messages: [
            { role: 'system', content: instruction },
            { role: 'user', content },
          ],
        },
        { signal: deadline.signal },
      );
    } catch (err) {
      throw this.translate(openai, err, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    const text = (completion as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message?.content;
    if (typeof text !== 'string') {
      this.logger.warn('AI provider answered without a chat completion');
      throw new UpstreamError(502, 'The AI provider sent a response that is not a chat completion.');
    }
    if (text.trim() === '') throw new UpstreamError(502, 'The AI provider returned an empty completion.');
    return text;
  }

  private translate(sdkModule: OpenAiSdk, err: unknown, timedOut: boolean): UpstreamError {
    const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdkModule;
    const seconds = Math.round(this.config.OPENAI_TIMEOUT_MS / 100) / 10;
    if (timedOut || err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) {
      this.logger.warn(`AI provider timed out after ${seconds}s`);
      return new UpstreamError(504, `The AI provider did not answer within ${seconds} second${seconds === 1 ? '' : 's'}.`);
    }
    if (err instanceof APIConnectionError) {
      this.logger.warn(`AI provider unreachable: ${err.cause instanceof Error ? err.cause.message : err.message}`);
      return new UpstreamError(502, 'Could not reach the AI provider.');
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      this.logger.warn(`AI provider answered HTTP ${err.status}`);
      switch (err.status) {
        case 401:
          return new UpstreamError(502, 'The AI provider rejected the API key. Ask your administrator to check it in AI settings.');
        case 403:
          return new UpstreamError(502, 'The AI provider denied access for this API key (HTTP 403).');
        case 404:
          return new UpstreamError(502, `The AI provider does not serve model "${this.config.OPENAI_MODEL}" at the configured URL (HTTP 404).`);
        case 429:
          return new UpstreamError(503, 'The AI provider is rate limiting requests or the account is out of quota. Try again later.');
        case 503:
          return new UpstreamError(503, 'The AI provider is temporarily unavailable. Try again later.');
        default:
          return new UpstreamError(502, `The AI provider failed to complete the request (HTTP ${err.status}).`);
      }
    }
    this.logger.warn(`AI provider call failed: ${err instanceof Error ? err.name : typeof err}`);
    return new UpstreamError(502, 'The AI provider sent a response that is not a chat completion.');
  }
}
