import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const SWAGGER_UI_PATH = 'docs';

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('managedTenantOperations')
      .setDescription(
        'The Microsoft Graph (beta) managedTenantOperation family as an OData v4 service: the ' +
          'entity sets managedTenantOperations, managedTenantOperationResults and ' +
          'managedTenantOperationHttpRequests, and the navigations results and httpRequests of an ' +
          'operation. Service root: /beta. The entity types are open: undeclared properties with ' +
          'valid names are stored and returned. `credentials.dapAccessToken` is write-only.',
      )
      .setVersion('beta')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A delegated access token with ManagedTenants.Read.All (reads) or ' +
            'ManagedTenants.ReadWrite.All (reads and writes); `tid` is the partner tenant, `oid` the ' +
            'user. Without AUTH_* configured, `npm run token -- --tenant <guid> --user <guid>` mints one.',
        },
        'bearer',
      )
      .build(),
  );
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: `${SWAGGER_UI_PATH}-json`,
  });
}
