import { Injectable } from '@nestjs/common';
import { InvalidInput, NotFound } from '../../shared/http/errors.js';
import { toAIPrompt } from './ai.mapper.js';
import { AiRepository } from './ai.repository.js';
import type { AICompletionDto, UpdateAIProviderDto } from './dto/ai-request.dto.js';
import { OpenAiCompletionClient } from './openai-completion.client.js';
import { ProviderKeyCipher, UndecryptableKey } from './provider-key-cipher.js';

/** AI prompts, the provider key (encrypted at rest) and completions. */
@Injectable()
export class AiService {
  constructor(
    private readonly repository: AiRepository,
    private readonly cipher: ProviderKeyCipher,
    private readonly client: OpenAiCompletionClient,
  ) {}

  async listPrompts() {
    return (await this.repository.listPrompts()).map(toAIPrompt);
  }

  async updateProvider(dto: UpdateAIProviderDto): Promise<true> {
    await this.repository.saveOpenAiKey(this.cipher.encrypt(dto.api_key));
    return true;
  }

  async complete(dto: AICompletionDto): Promise<string> {
    const instruction = await this.repository.findPromptContent(dto.prompt_key);
    if (instruction === null) throw new NotFound(`AI prompt \`${dto.prompt_key}\` not found`);
    const apiKey = this.providerKey(await this.repository.findOpenAiKey());
    return this.client.complete({ apiKey, instruction, content: dto.content });
  }

  private providerKey(stored: string): string {
    let key: string;
    try {
      key = this.cipher.decrypt(stored);
    } catch (err) {
      if (!(err instanceof UndecryptableKey)) throw err;
      throw new InvalidInput(
        'The stored AI provider API key cannot be decrypted, probably because the server secret changed. Ask your administrator to set it again in AI settings.',
      );
    }
    if (key === '') throw new InvalidInput('The AI provider API key is not set. Ask your administrator to add it in AI settings.');
    return key;
  }
}
