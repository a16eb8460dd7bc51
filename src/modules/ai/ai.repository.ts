import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PromptRow } from './ai.mapper.js';

export const OPENAI_PROVIDER = 'openai';

/** Named queries over `ai_prompts` and `ai_providers`. */
@Injectable()
export class AiRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listPrompts(): Promise<PromptRow[]> {
    return this.dataSource.query(`SELECT id, created_at, updated_at, key, title FROM ai_prompts ORDER BY title, id`);
  }

  async findPromptContent(key: string): Promise<string | null> {
    const rows: Array<{ content: string }> = await this.dataSource.query(`SELECT content FROM ai_prompts WHERE key = $1`, [key]);
    return rows[0]?.content ?? null;
  }

  /** The stored (encrypted) key of the default OpenAI provider; '' when none is set. */
  async findOpenAiKey(): Promise<string> {
    const rows: Array<{ api_key: string | null }> = await this.dataSource.query(
      `SELECT config->>'api_key' AS api_key FROM ai_providers WHERE provider = $1 ORDER BY is_default DESC, id LIMIT 1`,
      [OPENAI_PROVIDER],
    );
    return rows[0]?.api_key ?? '';
  }

  /** Sets the key on every OpenAI provider row, creating the default row if there is none. One statement, so atomic. */
  async saveOpenAiKey(storedKey: string): Promise<void> {
    await this.dataSource.query(
      `WITH updated AS (
         UPDATE ai_providers SET config = jsonb_set(config, '{api_key}', to_jsonb($1::text)), updated_at = now()
          WHERE provider = $2 RETURNING id
       )
       INSERT INTO ai_providers (name, provider, config, is_default)
       SELECT $2, $2, jsonb_build_object('api_key', $1::text), true WHERE NOT EXISTS (SELECT 1 FROM updated)
       ON CONFLICT (name) DO NOTHING`,
      [storedKey, OPENAI_PROVIDER],
    );
  }
}
