import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  buildMessage,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  isFQDN,
  isIP,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { Omittable } from '../../../shared/http/validators.js';
import { parseMailbox, SMTP_TLS_MODES, type SmtpTlsMode } from '../inboxes.mapper.js';
import { InboxImapRequest } from './inbox-imap.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `addr@example.com` or `Name <addr@example.com>`. */
function IsMailbox(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMailbox',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseMailbox(value) !== null,
        defaultMessage: buildMessage((each) => `${each}$property must be an email address or "Name <email>"`, options),
      },
    },
    options,
  );
}

/** A host name or an IP address; empty means SMTP is not configured yet. */
function IsSmtpHost(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSmtpHost',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && (value === '' || isIP(value) || isFQDN(value, { require_tld: false, allow_underscores: true })),
        defaultMessage: buildMessage((each) => `${each}$property must be a host name or an IP address`, options),
      },
    },
    options,
  );
}

export class InboxSmtpRequest {
  @ApiPropertyOptional({ example: 'smtp.example.com', description: 'Empty until SMTP is configured' })
  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(253)
  @IsSmtpHost()
  host?: string;

  @ApiPropertyOptional({ example: 587, minimum: 1, maximum: 65535, description: 'Defaults to 465 for tls, 25 for none, else 587' })
  @Omittable()
  @IsInt({ message: 'port must be an integer' })
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ enum: SMTP_TLS_MODES, default: 'starttls' })
  @Omittable()
  @IsIn(SMTP_TLS_MODES, { message: `tls must be one of ${SMTP_TLS_MODES.join(', ')}` })
  tls?: SmtpTlsMode;

  @ApiPropertyOptional({ example: 'support@example.com' })
  @Omittable()
  @IsString()
  @MaxLength(320)
  username?: string;

  @ApiPropertyOptional({ description: 'Write-only. Omit to keep the stored password; "" removes it.', writeOnly: true })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  password?: string;
}

export class InboxCreateRequest {
  @ApiProperty({ example: 'Support', maxLength: 140 })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name: string;

  @ApiPropertyOptional({ enum: ['email'], default: 'email' })
  @Omittable()
  @IsIn(['email'], { message: 'channel must be email' })
  channel?: 'email';

  @ApiProperty({ example: 'Support <support@example.com>' })
  @Transform(trim)
  @IsString({ message: 'from must be a string' })
  @MaxLength(500)
  @IsMailbox()
  from: string;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: false })
  @Omittable()
  @IsBoolean()
  csat_enabled?: boolean;

  @ApiPropertyOptional({ type: InboxSmtpRequest })
  @Omittable()
  @IsObject({ message: 'smtp must be an object' })
  @ValidateNested()
  @Type(() => InboxSmtpRequest)
  smtp?: InboxSmtpRequest;

  @ApiPropertyOptional({ type: InboxImapRequest, description: 'Receiving: the IMAP mailbox customers write to' })
  @Omittable()
  @IsObject({ message: 'imap must be an object' })
  @ValidateNested()
  @Type(() => InboxImapRequest)
  imap?: InboxImapRequest;
}

/** A partial update: omitted fields, and omitted SMTP settings, keep their values. */
export class InboxUpdateRequest {
  @ApiPropertyOptional({ example: 'Support', maxLength: 140 })
  @Omittable()
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name?: string;

  @ApiPropertyOptional({ example: 'Support <support@example.com>' })
  @Omittable()
  @Transform(trim)
  @IsString({ message: 'from must be a string' })
  @MaxLength(500)
  @IsMailbox()
  from?: string;

  @ApiPropertyOptional()
  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional()
  @Omittable()
  @IsBoolean()
  csat_enabled?: boolean;

  @ApiPropertyOptional({ type: InboxSmtpRequest })
  @Omittable()
  @IsObject({ message: 'smtp must be an object' })
  @ValidateNested()
  @Type(() => InboxSmtpRequest)
  smtp?: InboxSmtpRequest;

  @ApiPropertyOptional({ type: InboxImapRequest })
  @Omittable()
  @IsObject({ message: 'imap must be an object' })
  @ValidateNested()
  @Type(() => InboxImapRequest)
  imap?: InboxImapRequest;
}
