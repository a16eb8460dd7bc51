import { Transform } from 'class-transformer';
import { buildMessage, IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { Omittable } from '../../../shared/http/validators.js';
import { canonicalTimeZone } from '../timezone.js';

export const ASSIGNMENT_TYPES = ['Round robin', 'Manual'] as const;
export type AssignmentType = (typeof ASSIGNMENT_TYPES)[number];

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && (value === '' || canonicalTimeZone(value) !== null),
        defaultMessage: buildMessage((each) => `${each}$property must be an IANA time zone such as Europe/Berlin`, options),
      },
    },
    options,
  );
}

/** Business hours and SLA policies do not exist in this server, so only null can be stored. */
function IsNullReference(what: string): PropertyDecorator {
  return ValidateBy({
    name: 'isNullReference',
    validator: {
      validate: (value: unknown) => value === null,
      defaultMessage: () => `$property must be null: ${what} are not supported by this server`,
    },
  });
}

/** `TeamRequest` for POST /teams. `conversation_assignment_type` defaults to `Manual`. */
export class CreateTeamDto {
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name: string;

  @Omittable()
  @IsString()
  @MaxLength(50)
  emoji?: string;

  @Omittable()
  @IsIn(ASSIGNMENT_TYPES, { message: `conversation_assignment_type must be one of ${ASSIGNMENT_TYPES.join(', ')}` })
  conversation_assignment_type?: AssignmentType;

  @Omittable()
  @IsInt({ message: 'max_auto_assigned_conversations must be an integer' })
  @Min(0)
  @Max(2_147_483_647)
  max_auto_assigned_conversations?: number;

  @Omittable()
  @Transform(trim)
  @IsString()
  @IsTimeZone()
  timezone?: string;

  @ValidateIf((o: CreateTeamDto) => o.business_hours_id !== undefined)
  @IsNullReference('business hours')
  business_hours_id?: null;

  @ValidateIf((o: CreateTeamDto) => o.sla_policy_id !== undefined)
  @IsNullReference('SLA policies')
  sla_policy_id?: null;
}

/** `TeamRequest` for PUT /teams/{id}: a partial update, omitted fields keep their values. */
export class UpdateTeamDto {
  @Omittable()
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(140)
  name?: string;

  @Omittable()
  @IsString()
  @MaxLength(50)
  emoji?: string;

  @Omittable()
  @IsIn(ASSIGNMENT_TYPES, { message: `conversation_assignment_type must be one of ${ASSIGNMENT_TYPES.join(', ')}` })
  conversation_assignment_type?: AssignmentType;

  @Omittable()
  @IsInt({ message: 'max_auto_assigned_conversations must be an integer' })
  @Min(0)
  @Max(2_147_483_647)
  max_auto_assigned_conversations?: number;

  @Omittable()
  @Transform(trim)
  @IsString()
  @IsTimeZone()
  timezone?: string;

  @ValidateIf((o: UpdateTeamDto) => o.business_hours_id !== undefined)
  @IsNullReference('business hours')
  business_hours_id?: null;

  @ValidateIf((o: UpdateTeamDto) => o.sla_policy_id !== undefined)
  @IsNullReference('SLA policies')
  sla_policy_id?: null;
}
