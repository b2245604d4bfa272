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
        'The Microsoft Graph (beta) entity set managedTenantOperations, as an OData v4 service. ' +
          'Service root: /beta. The entity type is open: undeclared properties with valid names are ' +
          'stored and returned. `credentials.dapAccessToken` is write-only.',
      )
      .setVersion('beta')
      .build(),
  );
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: `${SWAGGER_UI_PATH}-json`,
  });
}
