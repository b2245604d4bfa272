import { Global, Module } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AppConfigService } from '../config/app-config.service';
import { SkipTokenCodec } from '../odata/query/skip-token';
import { CredentialsCipher } from './credentials-cipher';
import { loadCredentialsKey } from './credentials-key';
import { RequestFingerprinter } from './request-fingerprint';

/** The service's master key, from which every purpose-specific key derives. */
const MASTER_KEY = Symbol('MASTER_KEY');

@Global()
@Module({
  providers: [
    {
      provide: MASTER_KEY,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => loadCredentialsKey(config.values),
    },
    {
      provide: CredentialsCipher,
      inject: [MASTER_KEY],
      useFactory: (key: Buffer) => new CredentialsCipher(key),
    },
    {
      // A separate key for signing skiptokens, so that no ciphertext and no token share a key.
      provide: SkipTokenCodec,
      inject: [MASTER_KEY],
      useFactory: (key: Buffer) =>
        new SkipTokenCodec(createHmac('sha256', key).update('skiptoken-signing').digest()),
    },
    {
      provide: RequestFingerprinter,
      inject: [MASTER_KEY],
      useFactory: (key: Buffer) =>
        new RequestFingerprinter(createHmac('sha256', key).update('request-fingerprint').digest()),
    },
  ],
  exports: [CredentialsCipher, SkipTokenCodec, RequestFingerprinter],
})
export class CryptoModule {}
