import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { STATUS_CATEGORIES, type StatusCategory } from '../statuses.mapper.js';
import { Omittable } from '../../../shared/http/validators.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `StatusRequest`, with the optional `category` Libredesk HEAD takes (default `open`). */
export class StatusRequestDto {
  @ApiProperty({ example: 'Awaiting customer', maxLength: 25 })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(25, { message: 'Status is too long, should be at most 25 characters' })
  name: string;

  @ApiPropertyOptional({ enum: STATUS_CATEGORIES, default: 'open' })
  @Omittable()
  @IsIn(STATUS_CATEGORIES, { message: `category must be one of ${STATUS_CATEGORIES.join(', ')}` })
  category?: StatusCategory;
}
