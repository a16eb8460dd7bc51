import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { Omittable } from '../../../shared/http/validators.js';

const MAX_INT = 2_147_483_647;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `UserAssignRequest` and `TeamAssignRequest`. */
export class AssigneeDto {
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  assignee_id: number;
}

/** `PriorityUpdateRequest`: a priority name (Low, Medium, High); unknown names are a 400. */
export class PriorityDto {
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'priority must not be empty' })
  @MaxLength(140)
  priority: string;
}

/** `StatusUpdateRequest`: `snoozed_until` is a duration (`30m`, `2h`, `3d`, `1h30m`) for `Snoozed`. */
export class StatusDto {
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'status must not be empty' })
  @MaxLength(140)
  status: string;

  @Omittable()
  @IsString()
  @MaxLength(32)
  snoozed_until?: string;
}

export const TAG_ACTIONS = ['set_tags', 'add_tags', 'remove_tags'] as const;
export type TagAction = (typeof TAG_ACTIONS)[number];

/**
 * `TagsUpdateRequest`: tag names (missing tags are created). `action` (Libredesk HEAD) defaults to
 * replacing the set; absent `tags` is the empty set (`null` is a 400: the contract has no null there).
 */
export class TagsDto {
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim() : v)) : value))
  @IsString({ each: true })
  @IsNotEmpty({ each: true, message: 'tags must not contain empty names' })
  @MaxLength(140, { each: true })
  tags?: string[] | null;

  @Omittable()
  @IsIn(TAG_ACTIONS, { message: `action must be one of ${TAG_ACTIONS.join(', ')}` })
  action?: TagAction;
}
