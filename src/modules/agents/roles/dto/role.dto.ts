import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ALL_PERMISSIONS } from '../../../../shared/auth/permissions.js';
import { Omittable } from '../../../../shared/http/validators.js';

export const MAX_ROLE_NAME = 50;
export const MAX_ROLE_DESCRIPTION = 300;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const NAME = { minLength: 1, maxLength: MAX_ROLE_NAME, pattern: '\\S', example: 'Billing agents', description: 'Trimmed; unique' };
const DESCRIPTION = { maxLength: MAX_ROLE_DESCRIPTION, example: 'Agents who handle invoices and refunds' };
const PERMISSIONS = {
  type: 'array' as const,
  items: { type: 'string', enum: [...ALL_PERMISSIONS] },
  minItems: 1,
  example: ['conversations:read', 'conversations:read_assigned', 'messages:read', 'messages:write'],
  description: 'At least one; an unknown permission is a 400 naming it',
};

/** `POST /roles`. */
export class CreateRoleDto {
  @ApiProperty(NAME)
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(MAX_ROLE_NAME)
  name: string;

  @ApiPropertyOptional({ ...DESCRIPTION, default: '' })
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_ROLE_DESCRIPTION)
  description?: string;

  @ApiProperty(PERMISSIONS)
  @IsArray()
  @ArrayNotEmpty({ message: 'permissions must not be empty' })
  @ArrayMaxSize(ALL_PERMISSIONS.length * 2)
  @IsString({ each: true })
  permissions: string[];
}

/** `PUT /roles/{id}`: omitted fields keep their values; `permissions` replaces the set. */
export class UpdateRoleDto {
  @ApiPropertyOptional(NAME)
  @Omittable()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(MAX_ROLE_NAME)
  name?: string;

  @ApiPropertyOptional(DESCRIPTION)
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_ROLE_DESCRIPTION)
  description?: string;

  @ApiPropertyOptional(PERMISSIONS)
  @Omittable()
  @IsArray()
  @ArrayNotEmpty({ message: 'permissions must not be empty' })
  @ArrayMaxSize(ALL_PERMISSIONS.length * 2)
  @IsString({ each: true })
  permissions?: string[];
}

/** Libredesk's `Role`. */
export class RoleDto {
  @ApiProperty({ type: 'integer', example: 3 })
  id: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ example: 'Billing agents' })
  name: string;

  @ApiProperty({ example: 'Agents who handle invoices and refunds' })
  description: string;

  @ApiProperty({ type: 'array', items: { type: 'string' }, example: ['conversations:read', 'messages:read'] })
  permissions: string[];
}
