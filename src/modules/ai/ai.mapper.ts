import type { AiPromptEntity } from './entities/ai-prompt.entity.js';

export type PromptRow = Pick<AiPromptEntity, 'id' | 'createdAt' | 'updatedAt' | 'key' | 'title'>;

/** The contract's `AIPrompt`; the instruction text itself is not exposed. */
export function toAIPrompt(row: PromptRow) {
  return {
    id: row.id,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    key: row.key,
    title: row.title,
  };
}
