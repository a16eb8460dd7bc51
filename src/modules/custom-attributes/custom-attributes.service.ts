import { Injectable } from '@nestjs/common';
import { InvalidFields, NotFound } from '../../shared/http/errors.js';
import { compileRegex } from './custom-attribute-validator.js';
import { type CustomAttribute, toCustomAttribute } from './custom-attributes.mapper.js';
import { CustomAttributesRepository } from './custom-attributes.repository.js';
import type { CreateCustomAttributeRequest, UpdateCustomAttributeRequest } from './dto/custom-attribute-request.dto.js';
import { APPLIES_TO, type AppliesTo, type CustomAttributeEntity, type DataType } from './entities/custom-attribute.entity.js';

/** Keys of Libredesk's default attributes (automation rules, conversation fields); a definition may not take them. */
export const RESERVED_KEYS = [
  'contact_email',
  'content',
  'subject',
  'status',
  'priority',
  'assigned_team',
  'assigned_user',
  'hours_since_created',
  'hours_since_first_reply',
  'hours_since_last_reply',
  'hours_since_resolved',
  'inbox',
] as const;

const IMMUTABLE = ['applies_to', 'key', 'data_type'] as const;

/** Definitions of custom attributes (upstream `internal/custom_attribute`), validated on the server. */
@Injectable()
export class CustomAttributesService {
  constructor(private readonly repo: CustomAttributesRepository) {}

  async list(appliesTo: unknown): Promise<CustomAttribute[]> {
    if (appliesTo !== undefined && appliesTo !== '' && !APPLIES_TO.includes(appliesTo as AppliesTo)) {
      throw new InvalidFields({ applies_to: `must be one of ${APPLIES_TO.join(', ')}` });
    }
    return (await this.repo.list((appliesTo || undefined) as AppliesTo | undefined)).map(toCustomAttribute);
  }

  async get(id: number): Promise<CustomAttribute> {
    return toCustomAttribute(await this.require(id));
  }

  async create(dto: CreateCustomAttributeRequest): Promise<CustomAttribute> {
    if ((RESERVED_KEYS as readonly string[]).includes(dto.key)) {
      throw new InvalidFields(
        { key: `is reserved (${RESERVED_KEYS.join(', ')})` },
        'The provided key is not allowed as it conflicts with default attributes. Please choose a different key.',
      );
    }
    const values = dto.values ?? [];
    const regex = dto.regex ?? '';
    checkTypeRules(dto.data_type, values, regex);
    const row = await this.repo.insert({
      name: dto.name,
      description: dto.description ?? '',
      appliesTo: dto.applies_to,
      key: dto.key,
      dataType: dto.data_type,
      values: [...new Set(values)],
      regex,
      regexHint: dto.regex_hint ?? '',
    });
    return toCustomAttribute(row);
  }

  async update(id: number, dto: UpdateCustomAttributeRequest): Promise<CustomAttribute> {
    const current = await this.require(id);
    const stored: Record<(typeof IMMUTABLE)[number], string> = { applies_to: current.appliesTo, key: current.key, data_type: current.dataType };
    const changed = IMMUTABLE.filter((field) => dto[field] !== undefined && dto[field] !== stored[field]);
    if (changed.length > 0) {
      throw new InvalidFields(
        Object.fromEntries(changed.map((f) => [f, `cannot be changed (is ${stored[f]})`])),
        `Cannot change ${changed.join(', ')} of a custom attribute`,
      );
    }
    const values = dto.values ?? current.values;
    const regex = dto.regex ?? current.regex;
    checkTypeRules(current.dataType, values, regex);
    const row = await this.repo.update(id, {
      name: dto.name,
      description: dto.description,
      values: dto.values ? [...new Set(dto.values)] : undefined,
      regex: dto.regex,
      regexHint: dto.regex_hint,
    });
    if (!row) throw new NotFound('Custom attribute not found');
    return toCustomAttribute(row);
  }

  /** Removes the definition only; values already stored on conversations and contacts stay, as upstream. */
  async remove(id: number): Promise<true> {
    if (!(await this.repo.remove(id))) throw new NotFound('Custom attribute not found');
    return true;
  }

  private async require(id: number): Promise<CustomAttributeEntity> {
    const row = await this.repo.findById(id);
    if (!row) throw new NotFound('Custom attribute not found');
    return row;
  }
}

/** A `list` needs options, only a `list` has them, and only `text` has a pattern, which must compile. */
function checkTypeRules(dataType: DataType, values: string[], regex: string): void {
  if (dataType === 'list' && values.length === 0) throw new InvalidFields({ values: 'a list needs at least one value' });
  if (dataType !== 'list' && values.length > 0) throw new InvalidFields({ values: 'only a list has values' });
  if (regex === '') return;
  if (dataType !== 'text') throw new InvalidFields({ regex: 'only a text attribute has a pattern' });
  try {
    compileRegex(regex);
  } catch (err) {
    throw new InvalidFields({ regex: `does not compile: ${err instanceof Error ? err.message : String(err)}` });
  }
}
