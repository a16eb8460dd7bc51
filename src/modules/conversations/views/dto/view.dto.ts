import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { MAX_FILTER_TAGS, MAX_FILTER_TEXT } from '../view-filters.js';
import { OPERATORS } from '../../../../shared/http/list-filters.js';
import { VIEW_VISIBILITIES, type ViewVisibility } from '../../entities/view.entity.js';
import { Nullable, Omittable } from '../../../../shared/http/validators.js';

const MAX_INT = 2_147_483_647;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Every condition is optional; the present ones are AND-ed. Unknown keys are rejected. */
export class ViewFiltersDto {
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT, example: 1, description: 'Conversation status id' })
  status_id?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT, example: 3, description: 'Priority id' })
  priority_id?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT, description: 'Assigned agent id' })
  assigned_user_id?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT, description: 'Assigned team id' })
  assigned_team_id?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT, description: 'Inbox id' })
  inbox_id?: number | null;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 140, pattern: '\\S' },
    nullable: true,
    maxItems: MAX_FILTER_TAGS,
    example: ['billing'],
    description: 'Conversations with any of these tags',
  })
  tags?: string[] | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_FILTER_TEXT,
    example: 'refund',
    description: 'Text in the subject or the contact email (case-insensitive), or the exact reference number',
  })
  text?: string | null;
}

/** A condition of the filter language (the lists' `filters`). */
export class FilterConditionDto {
  @ApiProperty({ example: 'conversations' })
  model: string;

  @ApiProperty({ example: 'status_id' })
  field: string;

  @ApiProperty({ enum: OPERATORS })
  operator: string;

  @ApiProperty({ description: 'Always a string (a JSON array in a string for `in` and tags); ignored by set / not set', example: '1' })
  value: string;
}

/** A `{logic, rules}` tree of the filter language: rules are conditions or (one level down) groups. */
export class FilterTreeDto {
  @ApiProperty({ enum: ['AND', 'OR'], default: 'AND' })
  logic: 'AND' | 'OR';

  @ApiProperty({
    type: 'array',
    items: { anyOf: [{ $ref: getSchemaPath(FilterConditionDto) }, { type: 'object', description: 'A nested {logic, rules} group' }] },
  })
  rules: unknown[];
}

const VIEW_FILTERS_SCHEMA = {
  description:
    'Either the object form (every key optional, AND-ed, unknown keys rejected) or the filter language of the lists (`filters`): ' +
    'a flat array of conditions or a `{logic, rules}` tree, validated the same way (a 400 names the reason).',
  anyOf: [
    { $ref: getSchemaPath(ViewFiltersDto) },
    { type: 'array', items: { $ref: getSchemaPath(FilterConditionDto) } },
    { $ref: getSchemaPath(FilterTreeDto) },
  ],
};

/** An object, or an array (the filter language); the service validates the contents. */
const IsViewFilters = () =>
  ValidateBy({
    name: 'isViewFilters',
    validator: {
      validate: (value: unknown) => typeof value === 'object' && value !== null,
      defaultMessage: () => 'filters must be an object, an array of conditions or a {logic, rules} tree',
    },
  });

export type ViewFiltersInput = Record<string, unknown> | unknown[];

@ApiExtraModels(ViewFiltersDto, FilterConditionDto, FilterTreeDto)
export class CreateViewDto {
  @ApiProperty({ minLength: 1, maxLength: 140, pattern: '\\S', example: 'Open billing' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name: string;

  @ApiPropertyOptional({
    enum: VIEW_VISIBILITIES,
    default: 'user',
    description: '`user`: only you; `team`: members of `team_id`; `all`: every agent. Shared views need shared_views:manage.',
  })
  @Omittable()
  @IsIn(VIEW_VISIBILITIES, { message: `visibility must be one of ${VIEW_VISIBILITIES.join(', ')}` })
  visibility?: ViewVisibility;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT, description: 'Required for (and only for) `team` visibility' })
  @Nullable()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  team_id?: number | null;

  @ApiPropertyOptional(VIEW_FILTERS_SCHEMA)
  @Omittable()
  @IsViewFilters()
  filters?: ViewFiltersInput;
}

/** A partial update: omitted fields keep their values. */
export class UpdateViewDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 140, pattern: '\\S' })
  @Omittable()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name?: string;

  @ApiPropertyOptional({ enum: VIEW_VISIBILITIES })
  @Omittable()
  @IsIn(VIEW_VISIBILITIES, { message: `visibility must be one of ${VIEW_VISIBILITIES.join(', ')}` })
  visibility?: ViewVisibility;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_INT })
  @Nullable()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  team_id?: number | null;

  @ApiPropertyOptional({ ...VIEW_FILTERS_SCHEMA, description: `Replaces the filters. ${VIEW_FILTERS_SCHEMA.description}` })
  @Omittable()
  @IsViewFilters()
  filters?: ViewFiltersInput;
}

export class ViewDto {
  @ApiProperty({ type: 'integer' })
  id: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: VIEW_VISIBILITIES })
  visibility: ViewVisibility;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The owner of a `user` view' })
  user_id: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  team_id: number | null;

  @ApiProperty(VIEW_FILTERS_SCHEMA)
  filters: ViewFiltersDto | FilterConditionDto[] | FilterTreeDto;
}
