import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsInt, IsNotEmpty, IsObject, IsString, Max, MaxLength, Min } from 'class-validator';
import { EMAIL_OPTIONS, Nullable, Omittable } from '../../../shared/http/validators.js';

const MAX_INT = 2_147_483_647;
/** Message bodies are bounded well below the JSON body limit. */
export const MAX_MESSAGE_LENGTH = 256 * 1024;
export const MAX_ATTACHMENTS = 20;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** `CreateConversationRequest`. `subject` is required but may be empty, as may `last_name`, as in Libredesk. */
export class CreateConversationDto {
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  inbox_id: number;

  @Transform(trimLower)
  @IsString()
  @IsNotEmpty({ message: 'contact_email must not be empty' })
  @MaxLength(320)
  @IsEmail(EMAIL_OPTIONS, { message: 'Invalid email address' })
  contact_email: string;

  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'first_name must not be empty' })
  @MaxLength(140)
  first_name: string;

  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(140)
  last_name?: string;

  @IsString()
  @MaxLength(1000)
  subject: string;

  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(MAX_MESSAGE_LENGTH)
  content: string;

  @IsIn(['agent', 'contact'], { message: 'initiator must be agent or contact' })
  initiator: 'agent' | 'contact';

  /** 0 or null: no team. */
  @Nullable()
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  team_id?: number | null;

  /** 0 or null: no agent. */
  @Nullable()
  @IsInt()
  @Min(0)
  @Max(MAX_INT)
  agent_id?: number | null;

  @Omittable()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_INT, { each: true })
  attachments?: number[];

  /**
   * Beyond the contract, as upstream: keys that are not defined conversation attributes are dropped
   * silently; the values of defined ones are checked (400 naming the key).
   */
  @Omittable()
  @IsObject({ message: 'custom_attributes must be a JSON object' })
  custom_attributes?: Record<string, unknown>;
}
