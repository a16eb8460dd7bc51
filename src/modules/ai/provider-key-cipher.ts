import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { SecretBox, UndecryptableSecret } from '../../shared/config/secret-box.js';

export { UndecryptableSecret as UndecryptableKey };

/** Provider API keys at rest; an empty key stays empty (it means "not configured"). */
@Injectable()
export class ProviderKeyCipher extends SecretBox {
  constructor(@Inject(AppConfig) config: AppConfig) {
    super(config, 'ai-provider-key');
  }

  encrypt(plain: string): string {
    return plain === '' ? '' : this.seal(plain);
  }

  /** The plaintext key; throws `UndecryptableKey` when the server secret changed since it was stored. */
  decrypt(stored: string): string {
    return this.open(stored);
  }
}
