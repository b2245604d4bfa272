import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { InvalidRequestError } from '../common/errors';
import { isInnerRequest, requestOrigin } from '../common/inner-request';
import { parsePrefer } from '../odata/prefer';
import { NESTED_BATCH_MESSAGE, parseBatch } from './batch-request';
import {
  formatMultipartBatchResponse,
  MultipartBatchBody,
  parseMultipartBatch,
} from './multipart-batch';
import { READS_MULTIPART_BATCH } from './multipart-batch.parser';
import { BatchService } from './batch.service';

const EXAMPLE = {
  requests: [
    {
      id: '1',
      method: 'POST',
      url: '/managedTenantOperations',
      headers: { 'content-type': 'application/json' },
      atomicityGroup: 'g1',
      body: {
        result: {},
        target: {},
        operationDefinition: {},
        aggregationDefinition: {},
        credentials: {},
        status: 'running',
        partnerTenantId: '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d',
        partnerUserId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        name: 'In a batch',
        description: 'Created by $batch',
        requestId: '3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      },
    },
    {
      id: '2',
      method: 'GET',
      url: "/managedTenantOperations?$filter=status eq 'running'&$top=5",
      dependsOn: ['g1'],
    },
  ],
};

/**
 * Batch requests in both of OData's formats: JSON (OData JSON Format 4.01 §19, Microsoft Graph's
 * JSON batching) and multipart/mixed (Protocol 4.0 §11.7, with change sets), each answered in its
 * own format. Both run through one execution (BatchService) under one set of rules.
 */
@ApiTags('batch')
@Controller('beta/$batch')
export class BatchController {
  constructor(private readonly batches: BatchService) {}

  @Post()
  @HttpCode(200)
  @RouteConfig(READS_MULTIPART_BATCH)
  // Reading is enough to send a batch: each request in it is checked for its own permission.
  @RequirePermission('read')
  @ApiOperation({
    summary: 'Send up to 20 requests in one',
    description:
      'JSON: each request has id, method, url (relative to /beta), optional headers, body, ' +
      'dependsOn and atomicityGroup. Requests run in order; a request whose dependency failed ' +
      'answers 424; the requests of an atomicity group are applied together or not at all. ' +
      'multipart/mixed (OData 4.0): application/http parts and change sets (atomic), answered ' +
      'in multipart/mixed; it stops at the first failed request unless Prefer: ' +
      'odata.continue-on-error.',
  })
  @ApiConsumes('application/json', 'multipart/mixed')
  @ApiBody({ schema: { type: 'object' }, examples: { batch: { value: EXAMPLE } } })
  @ApiOkResponse({ description: '{"responses":[{id,status,headers,body}]}, or multipart/mixed' })
  @ApiResponse({ status: 400, description: 'Malformed batch', type: ODataErrorResponse })
  async send(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object | string> {
    // parseBatch refuses every URL that resolves to $batch; this is the fence behind it, so that
    // no spelling the router resolves differently can multiply one request into thousands.
    if (isInnerRequest(request)) throw new InvalidRequestError(NESTED_BATCH_MESSAGE);
    const outer = { headers: request.headers, origin: requestOrigin(request) };
    if (!(body instanceof MultipartBatchBody)) {
      const responses = await this.batches.execute(request.server, parseBatch(body), outer);
      return { responses };
    }
    const batch = parseMultipartBatch(body, outer.origin);
    const { continueOnError } = parsePrefer(request.headers.prefer);
    const responses = await this.batches.execute(request.server, batch.items, outer, {
      continueOnError,
    });
    if (continueOnError) reply.header('Preference-Applied', 'odata.continue-on-error');
    const answer = formatMultipartBatchResponse(
      batch.parts,
      new Map(responses.map((response) => [response.id, response])),
    );
    reply.type(answer.contentType);
    return answer.body;
  }
}
