import type { ViewDto } from './dto/view.dto.js';
import type { ViewEntity } from '../entities/view.entity.js';

export function toView(view: ViewEntity): ViewDto {
  return {
    id: view.id,
    created_at: view.createdAt.toISOString(),
    updated_at: view.updatedAt.toISOString(),
    name: view.name,
    visibility: view.visibility,
    user_id: view.userId,
    team_id: view.teamId,
    filters: (view.filters ?? {}) as ViewDto['filters'],
  };
}
