import { ApiProperty } from '@nestjs/swagger';
import { APPLIES_TO, type AppliesTo, DATA_TYPES, type DataType } from '../entities/custom-attribute.entity.js';

/** Documentation of `toCustomAttribute` (custom-attributes.mapper.ts). */
export class CustomAttributeDto {
  @ApiProperty({ example: 1 })
  id: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ example: 'CRM id' })
  name: string;

  @ApiProperty({ example: 'The customer id in our CRM' })
  description: string;

  @ApiProperty({ enum: APPLIES_TO })
  applies_to: AppliesTo;

  @ApiProperty({ example: 'crm_id' })
  key: string;

  @ApiProperty({ enum: DATA_TYPES })
  data_type: DataType;

  @ApiProperty({ type: [String], description: 'The options of a `list`; empty for other types' })
  values: string[];

  @ApiProperty({ example: '', description: "RE2 pattern for `text` values; '' when none" })
  regex: string;

  @ApiProperty({ example: '' })
  regex_hint: string;
}
