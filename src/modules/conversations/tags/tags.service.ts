import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Conflict, NotFound } from '../../../shared/http/errors.js';
import { ConversationEvents } from '../conversation-events.js';
import type { TagEntity } from '../entities/tag.entity.js';
import type { TagDto } from './dto/tag.dto.js';
import { toTag } from './tags.mapper.js';
import { TagsRepository } from './tags.repository.js';

const EXISTS = 'Tag already exists';

/**
 * Tag administration. Renaming or deleting a tag changes the tags of every conversation carrying it,
 * so each of them gets a `conversation.tags_changed` event in the same transaction. The tag's row is
 * locked first, so no conversation is tagged with it meanwhile and missed.
 */
@Injectable()
export class TagsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tags: TagsRepository,
    private readonly events: ConversationEvents,
  ) {}

  async list(): Promise<TagDto[]> {
    return (await this.tags.list()).map(toTag);
  }

  async create(name: string): Promise<TagDto> {
    const tag = await this.dataSource.transaction((m) => this.tags.insert(m, name));
    if (!tag) throw new Conflict(EXISTS);
    return toTag(tag);
  }

  async rename(id: number, name: string): Promise<TagDto> {
    return this.dataSource.transaction(async (m) => {
      const tag = await this.locked(m, id);
      if (tag.name === name) return toTag(tag);
      // The check keeps the usual conflict out of the database's error log; the unique index settles races.
      if ((await this.tags.nameTaken(m, name, id)) || !(await this.tags.rename(m, id, name))) throw new Conflict(EXISTS);
      await this.events.tagsChangedIn(m, await this.tags.conversationsWith(m, id), [name], [tag.name]);
      return toTag(await this.locked(m, id));
    });
  }

  async remove(id: number): Promise<true> {
    await this.dataSource.transaction(async (m) => {
      const tag = await this.locked(m, id);
      const touched = await this.tags.conversationsWith(m, id);
      await this.tags.delete(m, id);
      await this.events.tagsChangedIn(m, touched, [], [tag.name]);
    });
    return true;
  }

  private async locked(m: EntityManager, id: number): Promise<TagEntity> {
    const tag = await this.tags.lock(m, id);
    if (!tag) throw new NotFound('Tag not found');
    return tag;
  }
}
