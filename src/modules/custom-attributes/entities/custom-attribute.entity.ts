import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export const APPLIES_TO = ['contact', 'conversation'] as const;
export type AppliesTo = (typeof APPLIES_TO)[number];
export const DATA_TYPES = ['text', 'number', 'checkbox', 'date', 'link', 'list'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** The definition of a key that a conversation's or a contact's `custom_attributes` may hold. */
@Entity('custom_attribute_definitions')
@Unique('custom_attribute_definitions_key_applies_to_key', ['key', 'appliesTo'])
@Check('custom_attribute_definitions_name_check', 'length(name) <= 140')
@Check('custom_attribute_definitions_description_check', 'length(description) <= 300')
@Check('custom_attribute_definitions_applies_to_check', `applies_to IN ('contact', 'conversation')`)
@Check('custom_attribute_definitions_key_check', `key ~ '^[a-z0-9_]{3,140}$'`)
@Check('custom_attribute_definitions_data_type_check', `data_type IN ('text', 'number', 'checkbox', 'date', 'link', 'list')`)
@Check('custom_attribute_definitions_regex_check', 'length(regex) <= 1000')
@Check('custom_attribute_definitions_regex_hint_check', 'length(regex_hint) <= 1000')
export class CustomAttributeEntity {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'custom_attribute_definitions_pkey' })
  id: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ name: 'applies_to', type: 'text' })
  appliesTo: AppliesTo;

  @Column({ type: 'text' })
  key: string;

  @Column({ name: 'data_type', type: 'text' })
  dataType: DataType;

  /** The options of a `list`; empty for the other types. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  values: string[];

  /** RE2 syntax; a `text` value must match it when set ('' = none). */
  @Column({ type: 'text', default: '' })
  regex: string;

  @Column({ name: 'regex_hint', type: 'text', default: '' })
  regexHint: string;
}
