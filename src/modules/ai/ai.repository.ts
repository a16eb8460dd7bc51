import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PromptRow } from './ai.mapper.js';
import { AiPromptEntity } from './entities/ai-prompt.entity.js';
import { AiProviderEntity } from './entities/ai-provider.entity.js';

export const OPENAI_PROVIDER = 'openai';

/** Sets the key on every OpenAI provider row, creating the default row if there is none: one statement, so atomic. */
const SAVE_OPENAI_KEY_SQL = `WITH updated AS (
     UPDATE ai_providers SET config = jsonb_set(config, '{api_key}', to_jsonb($1::text)), updated_at = now()
      WHERE provider = $2 RETURNING id
   )
   INSERT INTO ai_providers (name, provider, config, is_default)
   SELECT $2, $2, jsonb_build_object('api_key', $1::text), true WHERE NOT EXISTS (SELECT 1 FROM updated)
   ON CONFLICT (name) DO NOTHING`;

/** Named queries over `ai_prompts` and `ai_providers`. */
@Injectable()
export class AiRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listPrompts(): Promise<PromptRow[]> {
    return this.dataSource.getRepository(AiPromptEntity).find({
      select: { id: true, createdAt: true, updatedAt: true, key: true, title: true },
      order: { title: 'ASC', id: 'ASC' },
    });
  }

  async findPromptContent(key: string): Promise<string | null> {
    const prompt = await this.dataSource.getRepository(AiPromptEntity).findOne({ select: { content: true }, where: { key } });
    return prompt?.content ?? null;
  }

  /** The stored (encrypted) key of the default OpenAI provider; '' when none is set. */
  async findOpenAiKey(): Promise<string> {
    const provider = await this.dataSource.getRepository(AiProviderEntity).findOne({
      select: { id: true, config: true },
      where: { provider: OPENAI_PROVIDER },
      order: { isDefault: 'DESC', id: 'ASC' },
    });
    const key = provider?.config.api_key;
    return typeof key === 'string' ? key : '';
  }

  async saveOpenAiKey(storedKey: string): Promise<void> {
    await this.dataSource.query(SAVE_OPENAI_KEY_SQL, [storedKey, OPENAI_PROVIDER]);
  }
}
