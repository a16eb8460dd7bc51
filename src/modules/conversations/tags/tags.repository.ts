import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import type { EventTarget } from '../conversation-events.js';
import { ConversationTagEntity } from '../entities/conversation-tag.entity.js';
import { ConversationEntity } from '../entities/conversation.entity.js';
import { TagEntity } from '../entities/tag.entity.js';

export type TagRef = Pick<TagEntity, 'id' | 'name'>;

const isUniqueViolation = (err: unknown) => err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';

/** Tags and the conversation–tag links. */
@Injectable()
export class TagsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every tag, by name. */
  list(): Promise<TagEntity[]> {
    return this.dataSource.getRepository(TagEntity).find({ order: { name: 'ASC', id: 'ASC' } });
  }

  /** Locks the tag's row until the transaction ends (conversations cannot be linked to it meanwhile). */
  lock(m: EntityManager, id: number): Promise<TagEntity | null> {
    return m.getRepository(TagEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The new tag, or null when a tag with this name (in any case) exists. */
  async insert(m: EntityManager, name: string): Promise<TagEntity | null> {
    const result = await m.createQueryBuilder().insert().into(TagEntity).values({ name }).orIgnore().returning(['id']).execute();
    const created = (result.raw as Array<Pick<TagEntity, 'id'>>)[0];
    return created ? m.getRepository(TagEntity).findOneByOrFail({ id: created.id }) : null;
  }

  /** Whether a tag other than `exceptId` has this name, in any case. */
  nameTaken(m: EntityManager, name: string, exceptId: number): Promise<boolean> {
    return m
      .getRepository(TagEntity)
      .createQueryBuilder('t')
      .where('lower(t.name) = lower(:name)', { name })
      .andWhere('t.id <> :exceptId', { exceptId })
      .getExists();
  }

  /** Renames the tag; false when another tag has this name (in any case). */
  async rename(m: EntityManager, id: number, name: string): Promise<boolean> {
    try {
      await m.getRepository(TagEntity).update({ id }, { name });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async delete(m: EntityManager, id: number): Promise<void> {
    await m.getRepository(TagEntity).delete({ id });
  }

  /** The conversations carrying the tag, as events need them. */
  conversationsWith(m: EntityManager, tagId: number): Promise<EventTarget[]> {
    return m
      .getRepository(ConversationEntity)
      .createQueryBuilder('c')
      .innerJoin(ConversationTagEntity, 'ct', 'ct.conversationId = c.id')
      .select(['c.id AS id', 'c.uuid AS uuid', 'c.assignedUserId AS assigned_user_id', 'c.assignedTeamId AS assigned_team_id'])
      .where('ct.tagId = :tagId', { tagId })
      .orderBy('c.id')
      .getRawMany<EventTarget>();
  }

  /** The tag names of each conversation, by name (conversations without tags map to an empty list). */
  async namesOf(m: EntityManager, conversationIds: number[]): Promise<Map<number, string[]>> {
    const names = new Map<number, string[]>(conversationIds.map((id) => [id, []]));
    if (conversationIds.length === 0) return names;
    const rows = await m
      .getRepository(ConversationTagEntity)
      .createQueryBuilder('ct')
      .innerJoin('ct.tag', 't')
      .select(['ct.conversationId AS conversation_id', 't.name AS name'])
      .where('ct.conversationId = ANY (CAST(:conversationIds AS integer[]))', { conversationIds })
      .orderBy('t.name')
      .getRawMany<{ conversation_id: number; name: string }>();
    for (const row of rows) names.get(row.conversation_id)?.push(row.name);
    return names;
  }
  /**
   * The tags with these names, created when missing (concurrent creators agree on one row). A name
   * matches an existing tag case-insensitively, and the existing tag's spelling wins.
   */
  async ensure(manager: EntityManager, names: string[]): Promise<TagRef[]> {
    if (names.length === 0) return [];
    // Only names no tag has yet reach the insert: a conflicting insert would use up a sequence value.
    await manager.query(
      `INSERT INTO tags (name)
       SELECT DISTINCT ON (lower(n)) n FROM unnest($1::text[]) AS n
        WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE lower(t.name) = lower(n))
       ON CONFLICT DO NOTHING`,
      [names],
    );
    return this.findByNames(manager, names);
  }

  /** Existing tags only, matched case-insensitively. */
  async findByNames(manager: EntityManager, names: string[]): Promise<TagRef[]> {
    if (names.length === 0) return [];
    return manager
      .getRepository(TagEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.name'])
      .where('lower(t.name) = ANY (SELECT lower(n) FROM unnest(CAST(:names AS text[])) AS n)', { names })
      .getMany();
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
