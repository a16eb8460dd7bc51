import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface TagRef {
  id: number;
  name: string;
}

/** Tags and the conversation–tag links. */
@Injectable()
export class TagsRepository {
  /** The tags with these names, created when missing (concurrent creators agree on one row). */
  async ensure(manager: EntityManager, names: string[]): Promise<TagRef[]> {
    if (names.length === 0) return [];
    await manager.query(`INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [names]);
    return manager.query(`SELECT id, name FROM tags WHERE name = ANY($1::text[])`, [names]);
  }

  /** Existing tags only. */
  findByNames(manager: EntityManager, names: string[]): Promise<TagRef[]> {
    if (names.length === 0) return Promise.resolve([]);
    return manager.query(`SELECT id, name FROM tags WHERE name = ANY($1::text[])`, [names]);
  }

  ofConversation(manager: EntityManager, conversationId: number): Promise<TagRef[]> {
    return manager.query(`SELECT t.id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id = $1 ORDER BY t.name`, [
      conversationId,
    ]);
  }

  async link(manager: EntityManager, conversationId: number, tagIds: number[]): Promise<void> {
    if (tagIds.length === 0) return;
    await manager.query(`INSERT INTO conversation_tags (conversation_id, tag_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`, [
      conversationId,
      tagIds,
    ]);
  }

  async unlink(manager: EntityManager, conversationId: number, tagIds: number[]): Promise<void> {
    if (tagIds.length === 0) return;
    await manager.query(`DELETE FROM conversation_tags WHERE conversation_id = $1 AND tag_id = ANY($2::int[])`, [conversationId, tagIds]);
  }
}
