import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const MAX_COMPLETION_CONTENT = 20_000;

/** `AIProviderRequest`: only `openai` (or an OpenAI-compatible endpoint) is supported; an empty key clears it. */
export class UpdateAIProviderDto {
  @ApiProperty({ enum: ['openai'] })
  @IsString()
  @IsIn(['openai'], { message: 'provider must be openai' })
  provider: string;

  @ApiProperty({ description: 'API key for the provider; an empty string clears it' })
  @Transform(trim)
  @IsString()
  @MaxLength(1000)
  @Matches(/^[\x21-\x7e]*$/, { message: 'api_key must be printable ASCII without spaces' })
  api_key: string;
}

/** `AICompletionRequest`. */
export class AICompletionDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'prompt_key must not be empty' })
  @MaxLength(100)
  prompt_key: string;

  @ApiProperty({ maxLength: MAX_COMPLETION_CONTENT })
  @IsString()
  @Matches(/\S/, { message: 'content must not be empty' })
  @MaxLength(MAX_COMPLETION_CONTENT, { message: `content must be at most ${MAX_COMPLETION_CONTENT} characters` })
  content: string;
}
