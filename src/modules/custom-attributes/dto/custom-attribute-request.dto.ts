import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Omittable } from '../../../shared/http/validators.js';
import { APPLIES_TO, type AppliesTo, DATA_TYPES, type DataType } from '../entities/custom-attribute.entity.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const KEY_PATTERN = /^[a-z0-9_]{3,140}$/;
export const MAX_LIST_VALUES = 200;

/** A new definition. `values` is required (non-empty) for `list`; `regex`/`regex_hint` apply to `text`. */
export class CreateCustomAttributeRequest {
  @ApiProperty({ example: 'CRM id', minLength: 1, maxLength: 140 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name: string;

  @ApiPropertyOptional({ example: 'The customer id in our CRM', maxLength: 300, default: '' })
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(300)
  description?: string;

  @ApiProperty({ enum: APPLIES_TO })
  @IsIn(APPLIES_TO, { message: `applies_to must be one of ${APPLIES_TO.join(', ')}` })
  applies_to: AppliesTo;

  @ApiProperty({ example: 'crm_id', pattern: KEY_PATTERN.source, description: 'Unique per `applies_to`; cannot be changed later' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'key must be 3-140 characters of a-z, 0-9 and _' })
  key: string;

  @ApiProperty({ enum: DATA_TYPES, description: 'Cannot be changed later' })
  @IsIn(DATA_TYPES, { message: `data_type must be one of ${DATA_TYPES.join(', ')}` })
  data_type: DataType;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_LIST_VALUES, example: ['gold', 'silver'], description: 'The options of a `list` (required for it)' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(MAX_LIST_VALUES)
  @IsString({ each: true })
  @IsNotEmpty({ each: true, message: 'values must not contain empty strings' })
  @MaxLength(140, { each: true })
  values?: string[];

  @ApiPropertyOptional({
    example: '^[A-Z]{2}-\\d+$',
    maxLength: 1000,
    description: 'RE2 pattern a `text` value must match (searched, so anchor it for a full match)',
  })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  regex?: string;

  @ApiPropertyOptional({ example: 'Two capitals, a dash and digits', maxLength: 1000 })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  regex_hint?: string;
}

/**
 * A partial update: an omitted field stays unchanged. `applies_to`, `key` and `data_type` may be sent
 * (upstream's client sends the whole object) but must equal the stored values.
 */
export class UpdateCustomAttributeRequest {
  @ApiPropertyOptional({ example: 'CRM id', minLength: 1, maxLength: 140 })
  @Omittable()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name?: string;

  @ApiPropertyOptional({ maxLength: 300 })
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(300)
  description?: string;

  @ApiPropertyOptional({ enum: APPLIES_TO, description: 'Immutable: must equal the stored value' })
  @Omittable()
  @IsString()
  applies_to?: string;

  @ApiPropertyOptional({ description: 'Immutable: must equal the stored value' })
  @Omittable()
  @IsString()
  key?: string;

  @ApiPropertyOptional({ enum: DATA_TYPES, description: 'Immutable: must equal the stored value' })
  @Omittable()
  @IsString()
  data_type?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_LIST_VALUES })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(MAX_LIST_VALUES)
  @IsString({ each: true })
  @IsNotEmpty({ each: true, message: 'values must not contain empty strings' })
  @MaxLength(140, { each: true })
  values?: string[];

  @ApiPropertyOptional({ maxLength: 1000 })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  regex?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  regex_hint?: string;
}
