import { Module } from '@nestjs/common';
import { AiController } from './ai.controller.js';
import { AiRepository } from './ai.repository.js';
import { AiService } from './ai.service.js';
import { OpenAiCompletionClient } from './openai-completion.client.js';
import { ProviderKeyCipher } from './provider-key-cipher.js';

@Module({
  controllers: [AiController],
  providers: [AiService, AiRepository, ProviderKeyCipher, OpenAiCompletionClient],
})
export class AiModule {}
