import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { rawQuery, serviceRootUrl } from '../common/service-root';
import { AppConfigService } from '../config/app-config.service';
import { SERVED_ENTITY_TYPES } from '../edm/model';
import { prefersCsdlJson } from '../odata/format';
import { parseQueryOptions, SystemOption } from '../odata/query/query-options';
import { MetadataService } from './metadata.service';

/** The service document and the metadata document (OData Protocol 4.01 §11.1). */
@ApiTags('metadata')
@Public()
@Controller('beta')
export class MetadataController {
  constructor(
    private readonly metadata: MetadataService,
    private readonly config: AppConfigService,
  ) {}

  @Get('$metadata')
  @ApiOperation({
    summary:
      'The metadata document (CSDL XML; CSDL JSON with $format=json or Accept: application/json)',
  })
  @ApiProduces('application/xml', 'application/json')
  @ApiOkResponse({ description: 'CSDL' })
  document(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | object {
    const format = parseQueryOptions(
      rawQuery(request),
      new Set<SystemOption>(['format']),
    ).system.get('format');
    if (prefersCsdlJson(request.headers.accept, format)) {
      reply.type('application/json');
      return this.metadata.csdlJson;
    }
    reply.type('application/xml; charset=utf-8');
    return this.metadata.csdlXml;
  }

  @Get()
  @ApiOperation({ summary: 'The service document: the entity sets of the service' })
  @ApiOkResponse({ description: 'Service document' })
  serviceDocument(@Req() request: FastifyRequest): object {
    return this.serviceDocumentBody(request);
  }

  private serviceDocumentBody(request: FastifyRequest): object {
    const root = serviceRootUrl(request, this.config.values.publicBaseUrl);
    return {
      '@odata.context': `${root}/$metadata`,
      value: SERVED_ENTITY_TYPES.map((entity) => ({
        name: entity.entitySetName,
        kind: 'EntitySet',
        url: entity.entitySetName,
      })),
    };
  }
}
