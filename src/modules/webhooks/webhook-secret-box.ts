import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { SecretBox } from '../../shared/config/secret-box.js';

export { UndecryptableSecret } from '../../shared/config/secret-box.js';

/**
 * Signing secrets must be readable to sign with, so they are encrypted at rest rather than hashed:
 * a database dump alone does not reveal them.
 */
@Injectable()
export class WebhookSecretBox extends SecretBox {
  constructor(@Inject(AppConfig) config: AppConfig) {
    super(config, 'webhook-secret');
  }
}
