import type { AppliesTo, CustomAttributeEntity, DataType } from './entities/custom-attribute.entity.js';

/** A definition as the API shows it (upstream's field names). */
export interface CustomAttribute {
  id: number;
  created_at: string;
  updated_at: string;
  name: string;
  description: string;
  applies_to: AppliesTo;
  key: string;
  data_type: DataType;
  values: string[];
  regex: string;
  regex_hint: string;
}

export function toCustomAttribute(row: CustomAttributeEntity): CustomAttribute {
  return {
    id: row.id,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    name: row.name,
    description: row.description,
    applies_to: row.appliesTo,
    key: row.key,
    data_type: row.dataType,
    values: row.values ?? [],
    regex: row.regex,
    regex_hint: row.regexHint,
  };
}
