import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { EMAIL_OPTIONS, Omittable } from '../../../../shared/http/validators.js';
import { MAX_ATTACHMENTS, MAX_MESSAGE_LENGTH } from '../../dto/create-conversation.dto.js';

const MAX_RECIPIENTS = 50;
const trimAll = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v)).filter((v) => v !== '') : value;

/** `MessageRequest`. `sender_type` defaults to `agent`; `to` defaults to the contact's email. */
export class SendMessageDto {
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message: string;

  @Omittable()
  @IsBoolean()
  private?: boolean;

  @Omittable()
  @IsIn(['agent', 'contact'], { message: 'sender_type must be agent or contact' })
  sender_type?: 'agent' | 'contact';

  @Omittable()
  @Transform(trimAll)
  @IsArray()
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  @IsEmail(EMAIL_OPTIONS, { each: true, message: 'to must contain only email addresses' })
  to?: string[];

  @Omittable()
  @Transform(trimAll)
  @IsArray()
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  @IsEmail(EMAIL_OPTIONS, { each: true, message: 'cc must contain only email addresses' })
  cc?: string[];

  @Omittable()
  @Transform(trimAll)
  @IsArray()
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  @IsEmail(EMAIL_OPTIONS, { each: true, message: 'bcc must contain only email addresses' })
  bcc?: string[];

  @Omittable()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  attachments?: number[];
}
