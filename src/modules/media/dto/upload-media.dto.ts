import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../../../shared/http/validators.js';

/** The text fields that may accompany `files` in POST /media. */
export class UploadMediaDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: '`true` stores the file with disposition inline' })
  @Omittable()
  @IsIn(['true', 'false', true, false], { message: 'inline must be true or false' })
  inline?: string | boolean;

  @ApiPropertyOptional({ description: 'What the upload is for, e.g. `messages`' })
  @Omittable()
  @IsString()
  @MaxLength(100)
  linked_model?: string;
}
