/**
 * npm run dev-cert
 *
 * Writes a self-signed certificate for localhost, 127.0.0.1 and ::1 beside the database (key
 * 0600), and prints what to set so that the service serves HTTPS and Node clients trust it.
 */
import { loadConfig } from '../config/app-config';
import {
  developmentCertificatePaths,
  makeDevelopmentCertificate,
  writeDevelopmentCertificate,
} from './development-certificate';

async function main(): Promise<void> {
  const paths = developmentCertificatePaths(loadConfig().databasePath);
  writeDevelopmentCertificate(await makeDevelopmentCertificate(), paths);
  console.log(
    [
      `Wrote ${paths.certFile} and ${paths.keyFile} (self-signed, for localhost, 127.0.0.1 and ::1).`,
      '',
      'Serve HTTPS with:',
      `  export TLS_CERT_FILE=${paths.certFile}`,
      `  export TLS_KEY_FILE=${paths.keyFile}`,
      '',
      'A Node client (the Microsoft Graph SDK, fetch) trusts it with:',
      `  export NODE_EXTRA_CA_CERTS=${paths.certFile}`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
