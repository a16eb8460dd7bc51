import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { ConversationTagEntity } from '../entities/conversation-tag.entity.js';
import { TagEntity } from '../entities/tag.entity.js';

export type TagRef = Pick<TagEntity, 'id' | 'name'>;

/** Tags and the conversation–tag links. */
@Injectable()
export class TagsRepository {
  /** The tags with these names, created when missing (concurrent creators agree on one row). */
  async ensure(manager: EntityManager, names: string[]): Promise<TagRef[]> {
    if (names.length === 0) return [];
    await manager
      .createQueryBuilder()
      .insert()
      .into(TagEntity)
      .values(names.map((name) => ({ name })))
      .orIgnore()
      .execute();
    return this.findByNames(manager, names);
  }

  /** Existing tags only. */
  async findByNames(manager: EntityManager, names: string[]): Promise<TagRef[]> {
    if (names.length === 0) return [];
    return manager.getRepository(TagEntity).find({ select: { id: true, name: true }, where: { name: In(names) } });
  }

  ofConversation(manager: EntityManager, conversationId: number): Promise<TagRef[]> {
    return manager
      .getRepository(TagEntity)
      .createQueryBuilder('t')
      .innerJoin('t.conversationLinks', 'ct')
      .select(['t.id', 't.name'])
      .where('ct.conversationId = :conversationId', { conversationId })
      .orderBy('t.name')
      .getMany();
  }

  async link(manager: EntityManager, conversationId: number, tagIds: number[]): Promise<void> {
    if (tagIds.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(ConversationTagEntity)
      .values(tagIds.map((tagId) => ({ conversationId, tagId })))
      .orIgnore()
      .execute();
  }

  async unlink(manager: EntityManager, conversationId: number, tagIds: number[]): Promise<void> {
    if (tagIds.length === 0) return;
    await manager.getRepository(ConversationTagEntity).delete({ conversationId, tagId: In(tagIds) });
  }
}
