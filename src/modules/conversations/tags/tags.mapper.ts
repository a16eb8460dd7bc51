import type { TagEntity } from '../entities/tag.entity.js';
import type { TagDto } from './dto/tag.dto.js';

export function toTag(tag: TagEntity): TagDto {
  return { id: tag.id, created_at: tag.createdAt.toISOString(), updated_at: tag.updatedAt.toISOString(), name: tag.name };
}
