import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { SecretBox } from '../../shared/config/secret-box.js';

/** SMTP passwords at rest. */
@Injectable()
export class SmtpPasswordBox extends SecretBox {
  constructor(@Inject(AppConfig) config: AppConfig) {
    super(config, 'inbox-smtp-password');
  }

  /** Null when the value was sealed under another secret (APP_SECRET changed) or is damaged. */
  openOrNull(sealed: string): string | null {
    if (!sealed.startsWith('enc:')) return null;
    try {
      return this.open(sealed);
    } catch {
      return null;
    }
  }
}
