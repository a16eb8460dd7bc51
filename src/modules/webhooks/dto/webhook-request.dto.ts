import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  buildMessage,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { EVENT_TYPES, isEventType } from '../../events/event-types.js';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../entities/webhook.entity.js';
import { parseTargetUrl } from '../target-guard.js';
import { isMaskedSecret, isValidSecret } from '../webhook-signing.js';
import { Omittable } from '../../../shared/http/validators.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `isValidSecret` as a pattern for the served document: `whsec_` + base64 of 24-64 bytes, or 16-256 visible ASCII characters. */
const B64 = '[A-Za-z0-9+/]';
const SECRET_PATTERN = `^(?:whsec_(?:(?:${B64}{4}){8,20}(?:${B64}{2}==|${B64}{3}=)?|(?:${B64}{4}){21}(?:${B64}{2}==)?)|(?!whsec_)[\\x21-\\x7e]{16,256})$`;
/** On update, also a masked secret as responses show it (ours, or upstream's "••••••••••"): it keeps the stored one. */
const UPDATE_SECRET_PATTERN = `${SECRET_PATTERN}|\u2022|^(?:whsec_)?\\*{8}[\\x21-\\x7e]{0,4}$`;
const EVENTS_SCHEMA = {
  type: 'array' as const,
  items: { type: 'string' as const, enum: ['*', ...EVENT_TYPES] },
  minItems: 1,
  maxItems: EVENT_TYPES.length + 1,
};
const NAME_SCHEMA = { minLength: 1, maxLength: 255, pattern: '\\S' } as const;

function IsWebhookUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWebhookUrl',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && typeof parseTargetUrl(value) !== 'string',
        defaultMessage: buildMessage((each) => `${each}$property must be an absolute http or https URL`, options),
      },
    },
    options,
  );
}

function IsEventFilter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEventFilter',
      validator: {
        validate: (value: unknown) => value === '*' || isEventType(value),
        defaultMessage: buildMessage((each) => `${each}$property must be * or one of ${EVENT_TYPES.join(', ')}`, options),
      },
    },
    { ...options, each: true },
  );
}

function IsSigningSecret(options?: ValidationOptions & { allowMasked?: boolean }): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSigningSecret',
      validator: {
        validate: (value: unknown) => isValidSecret(value) || (options?.allowMasked === true && isMaskedSecret(value)),
        defaultMessage: buildMessage((each) => `${each}$property must be whsec_ followed by base64 of 24-64 bytes, or 16-256 visible characters`, options),
      },
    },
    options,
  );
}

const FORMAT_DESCRIPTION =
  "`standard`: Standard Webhooks body `{id, type, created_at, data}` and headers. `libredesk`: upstream Libredesk's `{event, payload, timestamp}` with its event names and payload shapes, signed with `X-Libredesk-Signature` only";
const IS_ACTIVE_DESCRIPTION = "Libredesk's name for `enabled`; either may be sent (both with different values is a 400)";

const EVENTS_DESCRIPTION = `Event types to deliver, or \`["*"]\` for all: ${EVENT_TYPES.join(', ')}`;

export class CreateWebhookRequest {
  @ApiProperty({ example: 'CRM sync', ...NAME_SCHEMA })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255)
  name: string;

  @ApiProperty({ example: 'https://hooks.example.com/libredesk', maxLength: 2048, description: 'http(s); loopback and private addresses are refused' })
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url: string;

  @ApiPropertyOptional({ ...EVENTS_SCHEMA, default: ['*'], example: ['conversation.created', 'message.created'], description: EVENTS_DESCRIPTION })
  @Omittable()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(EVENT_TYPES.length + 1)
  @IsEventFilter()
  events?: string[];

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: true, description: IS_ACTIVE_DESCRIPTION })
  @Omittable()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS, default: 'standard', description: FORMAT_DESCRIPTION })
  @Omittable()
  @IsIn(PAYLOAD_FORMATS)
  payload_format?: PayloadFormat;

  @ApiPropertyOptional({
    pattern: SECRET_PATTERN,
    description: 'Signing secret; a `whsec_` secret of 32 random bytes is generated when omitted',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  @Omittable()
  @IsString()
  @IsSigningSecret()
  secret?: string;
}

/** Partial update: an omitted field stays unchanged. */
export class UpdateWebhookRequest {
  @ApiPropertyOptional({ example: 'CRM sync', ...NAME_SCHEMA })
  @Omittable()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ example: 'https://hooks.example.com/libredesk', maxLength: 2048 })
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url?: string;

  @ApiPropertyOptional({ ...EVENTS_SCHEMA, description: EVENTS_DESCRIPTION })
  @Omittable()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(EVENT_TYPES.length + 1)
  @IsEventFilter()
  events?: string[];

  @ApiPropertyOptional({ description: 'Enabling clears `disabled_reason`; events recorded while disabled are then delivered' })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: IS_ACTIVE_DESCRIPTION })
  @Omittable()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ enum: PAYLOAD_FORMATS, description: FORMAT_DESCRIPTION })
  @Omittable()
  @IsIn(PAYLOAD_FORMATS)
  payload_format?: PayloadFormat;

  @ApiPropertyOptional({
    pattern: UPDATE_SECRET_PATTERN,
    description:
      'A new signing secret (rotation); deliveries sign with it from then on. The masked value a response shows (or one containing "•", as Libredesk\'s UI sends back) keeps the current secret',
  })
  @Omittable()
  @IsString()
  @IsSigningSecret({ allowMasked: true })
  secret?: string;
}
