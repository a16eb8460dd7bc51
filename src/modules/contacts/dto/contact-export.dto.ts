import { ApiProperty } from '@nestjs/swagger';

/** Documentation of `toContactExport` (contact-export.mapper.ts). */
export class ContactExportAttachmentDto {
  @ApiProperty({ example: 'invoice.pdf' })
  name: string;

  @ApiProperty({ example: 'application/pdf' })
  content_type: string;

  @ApiProperty({ example: 48213 })
  size: number;

  @ApiProperty({ example: '/uploads/8f0c…?exp=1767225600&sig=…', description: 'Signed download URL (expires after MEDIA_URL_EXPIRY_SECONDS)' })
  url: string;
}

export class ContactExportMessageDto {
  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ enum: ['incoming', 'outgoing'] })
  type: string;

  @ApiProperty({ enum: ['agent', 'contact'] })
  sender_type: string;

  @ApiProperty({ enum: ['text', 'html'] })
  content_type: string;

  @ApiProperty({ example: '<p>Where is my order?</p>' })
  content: string;

  @ApiProperty({ type: [ContactExportAttachmentDto] })
  attachments: ContactExportAttachmentDto[];
}

export class ContactExportConversationDto {
  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ example: '100' })
  reference_number: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: 'Order #4411' })
  subject: string;

  @ApiProperty({ example: 'Open' })
  status: string;

  @ApiProperty({ type: String, nullable: true, example: 'High' })
  priority: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  custom_attributes: Record<string, unknown>;

  @ApiProperty({ type: [ContactExportMessageDto], description: 'Incoming and outgoing messages only: private notes and activity lines are left out' })
  messages: ContactExportMessageDto[];
}

export class ContactExportNoteDto {
  @ApiProperty({ example: 3 })
  id: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: 'Prefers email over phone.' })
  note: string;
}

export class ContactExportProfileDto {
  @ApiProperty({ example: 12 }) id: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({ example: 'Ada' }) first_name: string;
  @ApiProperty({ example: 'Lovelace' }) last_name: string;
  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com' }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) phone_number_country_code: string | null;
  @ApiProperty({ type: String, nullable: true }) phone_number: string | null;
  @ApiProperty({ type: String, nullable: true }) country: string | null;
  @ApiProperty({ type: String, nullable: true }) avatar_url: string | null;
  @ApiProperty({ type: String, nullable: true }) external_user_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) custom_attributes: Record<string, unknown>;
  @ApiProperty({ example: 'offline' }) availability_status: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_active_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_login_at: string | null;
  @ApiProperty() enabled: boolean;
}

export class ContactExportDto {
  @ApiProperty({ format: 'date-time' })
  exported_at: string;

  @ApiProperty({ type: ContactExportProfileDto })
  contact: ContactExportProfileDto;

  @ApiProperty({ type: [ContactExportNoteDto], description: "Agents' notes about the contact" })
  notes: ContactExportNoteDto[];

  @ApiProperty({ type: [ContactExportConversationDto], description: 'Oldest first' })
  conversations: ContactExportConversationDto[];
}
