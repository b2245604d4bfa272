import { Global, Module } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AppConfigService } from '../config/app-config.service';
import { SkipTokenCodec } from '../odata/query/skip-token';
import { DeltaTokenCodec } from '../odata/delta-token';
import { provideBy, typedToken } from '../common/typed-token';
import { CredentialsCipher } from './credentials-cipher';
import { loadCredentialsKeys } from './credentials-key';
import { RequestFingerprinter } from './request-fingerprint';

type CredentialsKeys = ReturnType<typeof loadCredentialsKeys>;

/**
 * The service's keys: the current one encrypts secrets, and purpose-specific keys derive from it
 * (skiptoken signing, create fingerprints); previous ones only decrypt.
 */
const MASTER_KEY = typedToken<CredentialsKeys>('MASTER_KEY');

@Global()
@Module({
  providers: [
    provideBy(MASTER_KEY, [AppConfigService], (config: AppConfigService) =>
      loadCredentialsKeys(config.values),
    ),
    {
      provide: CredentialsCipher,
      inject: [MASTER_KEY],
      useFactory: (keys: CredentialsKeys) => new CredentialsCipher(keys.current, keys.previous),
    },
    {
      // A separate key for signing skiptokens, so that no ciphertext and no token share a key.
      provide: SkipTokenCodec,
      inject: [MASTER_KEY],
      useFactory: (keys: CredentialsKeys) =>
        new SkipTokenCodec(createHmac('sha256', keys.current).update('skiptoken-signing').digest()),
    },
    {
      // And one for delta tokens (nextLinks and deltaLinks of delta queries).
      provide: DeltaTokenCodec,
      inject: [MASTER_KEY, AppConfigService],
      useFactory: (keys: CredentialsKeys, config: AppConfigService) =>
        new DeltaTokenCodec(
          createHmac('sha256', keys.current).update('delta-token-signing').digest(),
          config.values.changes.retentionMs,
        ),
    },
    {
      provide: RequestFingerprinter,
      inject: [MASTER_KEY],
      useFactory: (keys: CredentialsKeys) =>
        new RequestFingerprinter(
          createHmac('sha256', keys.current).update('request-fingerprint').digest(),
        ),
    },
  ],
  exports: [CredentialsCipher, SkipTokenCodec, DeltaTokenCodec, RequestFingerprinter],
})
export class CryptoModule {}
