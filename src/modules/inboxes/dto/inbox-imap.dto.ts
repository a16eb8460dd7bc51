import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, isFQDN, isIP, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { IMAP_TLS_MODES } from '../imap-settings.js';
import { Omittable } from '../../../shared/http/validators.js';
import type { SmtpTlsMode } from '../inboxes.mapper.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** IMAP settings of an email inbox; omitted fields keep their stored values on update. */
export class InboxImapRequest {
  @ApiPropertyOptional({ example: 'imap.example.com', description: 'Empty turns receiving off' })
  @Omittable()
  @Transform(trim)
  @IsString({ message: 'host must be a string' })
  @MaxLength(253)
  @ValidateBy({
    name: 'isImapHost',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && (v === '' || isIP(v) || isFQDN(v, { require_tld: false, allow_underscores: true })),
      defaultMessage: () => 'host must be a host name or an IP address',
    },
  })
  host?: string;

  @ApiPropertyOptional({ example: 993, minimum: 1, maximum: 65535, description: 'Defaults to 993 for tls, else 143' })
  @Omittable()
  @IsInt({ message: 'port must be an integer' })
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ enum: IMAP_TLS_MODES, default: 'tls' })
  @Omittable()
  @IsIn(IMAP_TLS_MODES, { message: `tls must be one of ${IMAP_TLS_MODES.join(', ')}` })
  tls?: SmtpTlsMode;

  @ApiPropertyOptional({ default: false, description: 'Accept any TLS certificate (self-signed test servers only)' })
  @Omittable()
  @IsBoolean({ message: 'tls_skip_verify must be a boolean' })
  tls_skip_verify?: boolean;

  @ApiPropertyOptional({ example: 'support@example.com' })
  @Omittable()
  @IsString({ message: 'username must be a string' })
  @MaxLength(320)
  username?: string;

  @ApiPropertyOptional({ description: 'Write-only. Omitted or the masked value keeps the stored password; "" removes it.', writeOnly: true })
  @Omittable()
  @IsString({ message: 'password must be a string' })
  @MaxLength(1000)
  password?: string;

  @ApiPropertyOptional({ default: 'INBOX', description: 'The folder to receive from' })
  @Omittable()
  @Transform(trim)
  @IsString({ message: 'mailbox must be a string' })
  @MaxLength(1000)
  @Matches(/^[^\r\n\0]+$/, { message: 'mailbox must be a non-empty folder name' })
  mailbox?: string;

  @ApiPropertyOptional({ default: 60, minimum: 5, maximum: 86400, description: 'Polling interval; servers with IDLE deliver within seconds' })
  @Omittable()
  @IsInt({ message: 'poll_interval_seconds must be an integer' })
  @Min(5)
  @Max(86_400)
  poll_interval_seconds?: number;

  @ApiPropertyOptional({ default: 48, minimum: 0, maximum: 8760, description: 'On first connect, import mail received this many hours back' })
  @Omittable()
  @IsInt({ message: 'scan_since_hours must be an integer' })
  @Min(0)
  @Max(8760)
  scan_since_hours?: number;

  @ApiPropertyOptional({ default: false, description: 'Flag imported mail \\Seen (opens the folder read-write)' })
  @Omittable()
  @IsBoolean({ message: 'mark_seen must be a boolean' })
  mark_seen?: boolean;
}

/** Documentation of `toImap` (imap-settings.ts). */
export class InboxImapDto {
  @ApiProperty() host: string;
  @ApiProperty() port: number;
  @ApiProperty({ enum: IMAP_TLS_MODES }) tls: SmtpTlsMode;
  @ApiProperty() tls_skip_verify: boolean;
  @ApiProperty() username: string;
  @ApiProperty({ description: 'Masked when a password is stored, else empty' }) password: string;
  @ApiProperty() password_set: boolean;
  @ApiProperty() mailbox: string;
  @ApiProperty() poll_interval_seconds: number;
  @ApiProperty() scan_since_hours: number;
  @ApiProperty() mark_seen: boolean;
}

export class ImapStatusDto {
  @ApiProperty({ nullable: true, type: 'boolean', description: 'null until the first connection attempt' }) ok: boolean | null;
  @ApiProperty({ nullable: true, type: 'string' }) last_error: string | null;
  @ApiProperty({ nullable: true, type: 'string', format: 'date-time' }) last_error_at: string | null;
  @ApiProperty({ nullable: true, type: 'string', format: 'date-time' }) last_success_at: string | null;
  @ApiProperty({ description: 'Emails imported' }) imported: number;
  @ApiProperty({ description: 'Auto-replies and looping mail dropped' }) dropped: number;
  @ApiProperty({ description: 'Delivery-status notifications handled' }) bounces: number;
  @ApiProperty({ description: 'Emails from blocked contacts not imported' }) blocked: number;
}
