import { ApiProperty } from '@nestjs/swagger';
import { SMTP_TLS_MODES, type SmtpTlsMode } from '../inboxes.mapper.js';
import { ImapStatusDto, InboxImapDto } from './inbox-imap.dto.js';

/** Documentation of `toInbox` (inboxes.mapper.ts). */
export class InboxSmtpDto {
  @ApiProperty({ example: 'smtp.example.com' })
  host: string;

  @ApiProperty({ example: 587 })
  port: number;

  @ApiProperty({ enum: SMTP_TLS_MODES })
  tls: SmtpTlsMode;

  @ApiProperty({ example: 'support@example.com' })
  username: string;

  @ApiProperty({ description: 'Whether a password is stored; the password itself is never returned.' })
  password_set: boolean;
}

export class InboxDto {
  @ApiProperty({ example: 1 })
  id: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ example: 'Support' })
  name: string;

  @ApiProperty({ enum: ['email', 'livechat'] })
  channel: 'email' | 'livechat';

  @ApiProperty()
  enabled: boolean;

  @ApiProperty()
  csat_enabled: boolean;

  @ApiProperty({ example: 'Support <support@example.com>' })
  from: string;

  @ApiProperty({ type: InboxSmtpDto })
  smtp: InboxSmtpDto;

  @ApiProperty({ type: InboxImapDto, nullable: true, description: 'null until IMAP is configured' })
  imap: InboxImapDto | null;

  @ApiProperty({ type: ImapStatusDto, nullable: true, description: 'Receiving health; null for an inbox without IMAP settings' })
  imap_status: ImapStatusDto | null;
}
