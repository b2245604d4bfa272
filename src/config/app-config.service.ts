import { AppConfig } from './app-config';

/** The configuration as an injectable: read once at start (loadConfig), then only read. */
export class AppConfigService {
  constructor(readonly values: AppConfig) {}
}
