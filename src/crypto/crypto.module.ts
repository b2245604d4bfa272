import { Global, Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { CredentialsCipher } from './credentials-cipher';
import { loadCredentialsKey } from './credentials-key';

@Global()
@Module({
  providers: [
    {
      provide: CredentialsCipher,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) =>
        new CredentialsCipher(loadCredentialsKey(config.values)),
    },
  ],
  exports: [CredentialsCipher],
})
export class CryptoModule {}
