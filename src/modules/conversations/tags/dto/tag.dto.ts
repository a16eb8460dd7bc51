import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export const MAX_TAG_NAME = 140;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `POST /tags` and `PUT /tags/{id}`: the (new) name, unique case-insensitively. */
export class TagRequestDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_TAG_NAME, pattern: '\\S', example: 'billing', description: 'Trimmed; unique regardless of case' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(MAX_TAG_NAME)
  name: string;
}

/** Libredesk's `Tag`. */
export class TagDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ example: 'billing' })
  name: string;
}
