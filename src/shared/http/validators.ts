import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy, ValidateIf, ValidationOptions, buildMessage } from 'class-validator';

/** An email as Libredesk accepts it: no display name, a TLD not required (`a@b` is valid). */
export const EMAIL_OPTIONS = { require_tld: false, allow_display_name: false, allow_utf8_local_part: true } as const;

/** A reference to a team: a positive integer id, a numeric string, or a name. */
export function IsTeamRef(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTeamRef',
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 2_147_483_647) ||
          (typeof value === 'string' && value.trim().length > 0 && value.length <= 140),
        defaultMessage: buildMessage((each) => `${each}must be a team id or a team name`, options),
      },
    },
    options,
  );
}

/** Libredesk's password policy: 10–72 characters with upper, lower, digit and special characters. */
export const PASSWORD_POLICY = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[\W_]).{10,72}$/s;
export const PASSWORD_POLICY_MESSAGE =
  'Password must be 10-72 characters long should contain at least one uppercase letter, one lowercase letter, one number, and one special character.';

/**
 * An optional field: omitting it is fine, but `null` is refused ("must not be null", see validation.ts).
 * Use this, not class-validator's `@IsOptional()` (which lets `null` through to the service and the
 * database, as if it were a value; ESLint forbids it in DTOs).
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_: object, value: unknown) => value !== undefined);

/**
 * An optional field where `null` has a meaning (no team, clear the value): omitted or `null` skip the
 * other rules, and the served document marks the property `nullable`.
 */
export const Nullable = (): PropertyDecorator =>
  applyDecorators(
    ValidateIf((_: object, value: unknown) => value !== undefined && value !== null),
    ApiPropertyOptional({ nullable: true }),
  );
