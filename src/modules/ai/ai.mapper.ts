export interface PromptRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  key: string;
  title: string;
}

/** The contract's `AIPrompt`; the instruction text itself is not exposed. */
export function toAIPrompt(row: PromptRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    key: row.key,
    title: row.title,
  };
}
