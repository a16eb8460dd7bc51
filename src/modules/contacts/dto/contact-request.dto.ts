import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsNotEmpty, IsObject, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { EMAIL_OPTIONS, Nullable, Omittable } from '../../../shared/http/validators.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
/** Form fields arrive as text: the literal `null` and an empty value both mean "no value". */
const nullable = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return text === '' || text === 'null' ? null : text;
};
/** `true`/`false` as form text or as JSON booleans. */
const formBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * PUT /contacts/{id} as multipart form fields (or JSON). A partial update: omitted fields keep their
 * values; `null` or an empty value clears the phone fields and the avatar. Names, email and
 * `enabled` cannot be cleared.
 */
export class UpdateContactDto {
  @ValidateIf((_, v) => v !== undefined)
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'first_name must not be empty' })
  @MaxLength(140)
  first_name?: string;

  @ValidateIf((_, v) => v !== undefined)
  @Transform(trim)
  @IsString()
  @MaxLength(140)
  last_name?: string;

  @ValidateIf((_, v) => v !== undefined)
  @Transform(trimLower)
  @IsString()
  @IsNotEmpty({ message: 'email must not be empty' })
  @MaxLength(320)
  @IsEmail(EMAIL_OPTIONS, { message: 'Invalid email address' })
  email?: string;

  @Nullable()
  @Transform(nullable)
  @IsString()
  @Matches(/^[0-9+()\-.\s]{1,50}$/, { message: 'phone_number must be a phone number' })
  phone_number?: string | null;

  @Nullable()
  @Transform(nullable)
  @IsString()
  @Matches(/^\+?[0-9A-Za-z-]{1,10}$/, { message: 'phone_number_country_code must be a country calling code or ISO code' })
  phone_number_country_code?: string | null;

  @ValidateIf((_, v) => v !== undefined)
  @Transform(formBoolean)
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;

  @Nullable()
  @Transform(nullable)
  @IsString()
  @MaxLength(2000)
  @Matches(/^(\/uploads\/[0-9a-fA-F-]{36}|https?:\/\/\S+)$/, { message: 'avatar_url must be an /uploads/<uuid> path or an http(s) URL' })
  avatar_url?: string | null;
}

/** PUT /contacts/{id}/block. */
export class BlockContactDto {
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled: boolean;
}

/** POST /contacts/{id}/notes. */
export class CreateContactNoteDto {
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'note must not be empty' })
  @MaxLength(50_000)
  note: string;
}

/**
 * POST /contacts (JSON). `first_name` and `email` are required: the contract's Contact always has an
 * email (upstream's unmerged design makes it optional), and it is unique among contacts.
 */
export class CreateContactDto {
  @ApiProperty({ minLength: 1, maxLength: 140, example: 'Ada' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'first_name must not be empty' })
  @MaxLength(140)
  first_name: string;

  @ApiPropertyOptional({ maxLength: 140, example: 'Lovelace' })
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(140)
  last_name?: string;

  @ApiProperty({ maxLength: 320, format: 'email', example: 'ada@example.com', description: 'Unique among contacts, case-insensitively (409)' })
  @Transform(trimLower)
  @IsString()
  @IsNotEmpty({ message: 'email must not be empty' })
  @MaxLength(320)
  @IsEmail(EMAIL_OPTIONS, { message: 'Invalid email address' })
  email: string;

  @ApiPropertyOptional({ example: '20 7946 0958' })
  @Nullable()
  @Transform(nullable)
  @IsString()
  @Matches(/^[0-9+()\-.\s]{1,50}$/, { message: 'phone_number must be a phone number' })
  phone_number?: string | null;

  @ApiPropertyOptional({ example: '+44' })
  @Nullable()
  @Transform(nullable)
  @IsString()
  @Matches(/^\+?[0-9A-Za-z-]{1,10}$/, { message: 'phone_number_country_code must be a country calling code or ISO code' })
  phone_number_country_code?: string | null;

  @ApiPropertyOptional({ maxLength: 140, example: 'United Kingdom' })
  @Nullable()
  @Transform(nullable)
  @IsString()
  @MaxLength(140)
  country?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { crm_id: 'C-1042', vip: true },
    description: 'Keys to string, number or boolean values',
  })
  @Omittable()
  @IsObject({ message: 'custom_attributes must be an object' })
  custom_attributes?: Record<string, unknown>;
}
