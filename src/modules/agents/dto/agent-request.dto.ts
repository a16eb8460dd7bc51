import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { EMAIL_OPTIONS, IsTeamRef, Omittable, PASSWORD_POLICY, PASSWORD_POLICY_MESSAGE } from '../../../shared/http/validators.js';
import { AVAILABILITY_STATUSES, type AvailabilityStatus } from '../entities/agent.entity.js';

const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `AgentRequest` for POST /agents: email, first_name and roles are required. */
export class CreateAgentDto {
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

  @Transform(trimLower)
  @IsString()
  @IsNotEmpty({ message: 'email must not be empty' })
  @MaxLength(320)
  @IsEmail(EMAIL_OPTIONS, { message: 'Invalid email address' })
  email: string;

  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(140, { each: true })
  roles: string[];

  @Omittable()
  @IsArray()
  @ArrayMaxSize(200)
  @IsTeamRef({ each: true })
  teams?: Array<string | number>;

  @Omittable()
  @IsBoolean()
  send_welcome_email?: boolean;

  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @Omittable()
  @IsIn(AVAILABILITY_STATUSES, { message: `availability_status must be one of ${AVAILABILITY_STATUSES.join(', ')}` })
  availability_status?: AvailabilityStatus;

  @Omittable()
  @IsString()
  @Matches(PASSWORD_POLICY, { message: PASSWORD_POLICY_MESSAGE })
  new_password?: string;
}

/** `AgentRequest` for PUT /agents/{id}: a partial update, so every field is optional. */
export class UpdateAgentDto {
  @Omittable()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'first_name must not be empty' })
  @MaxLength(140)
  first_name?: string;

  @Omittable()
  @Transform(trim)
  @IsString()
  @MaxLength(140)
  last_name?: string;

  @Omittable()
  @Transform(trimLower)
  @IsString()
  @IsNotEmpty({ message: 'email must not be empty' })
  @MaxLength(320)
  @IsEmail(EMAIL_OPTIONS, { message: 'Invalid email address' })
  email?: string;

  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(140, { each: true })
  roles?: string[];

  @Omittable()
  @IsArray()
  @ArrayMaxSize(200)
  @IsTeamRef({ each: true })
  teams?: Array<string | number>;

  @Omittable()
  @IsBoolean()
  send_welcome_email?: boolean;

  @Omittable()
  @IsBoolean()
  enabled?: boolean;

  @Omittable()
  @IsIn(AVAILABILITY_STATUSES, { message: `availability_status must be one of ${AVAILABILITY_STATUSES.join(', ')}` })
  availability_status?: AvailabilityStatus;

  @Omittable()
  @IsString()
  @Matches(PASSWORD_POLICY, { message: PASSWORD_POLICY_MESSAGE })
  new_password?: string;
}

/** The contract's values and the stored ones are both accepted (DECISIONS.md). */
export const AVAILABILITY_ALIASES: Record<string, AvailabilityStatus> = {
  available: 'online',
  busy: 'away_manual',
  away: 'away',
  offline: 'offline',
  online: 'online',
  away_manual: 'away_manual',
  away_and_reassigning: 'away_and_reassigning',
};

export class AvailabilityDto {
  @IsString()
  @IsIn(Object.keys(AVAILABILITY_ALIASES), { message: `status must be one of ${Object.keys(AVAILABILITY_ALIASES).join(', ')}` })
  status: string;

  @Omittable()
  @IsString()
  @IsIn(['idle', 'manual'])
  source?: string;
}
