import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { InvalidRequestError } from '../common/errors';
import { isInnerRequest, requestOrigin } from '../common/inner-request';
import { NESTED_BATCH_MESSAGE, parseBatch } from './batch-request';
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

/** JSON batch requests (OData JSON Format 4.01 §19; Microsoft Graph JSON batching). */
@ApiTags('batch')
@Controller('beta/$batch')
export class BatchController {
  constructor(private readonly batches: BatchService) {}

  @Post()
  @HttpCode(200)
  // Reading is enough to send a batch: each request in it is checked for its own permission.
  @RequirePermission('read')
  @ApiOperation({
    summary: 'Send up to 20 requests in one',
    description:
      'Each request has id, method, url (relative to /beta), optional headers, body, dependsOn and ' +
      'atomicityGroup. Requests run in order; a request whose dependency failed answers 424; the ' +
      'requests of an atomicity group are applied together or not at all.',
  })
  @ApiBody({ schema: { type: 'object' }, examples: { batch: { value: EXAMPLE } } })
  @ApiOkResponse({ description: '{"responses":[{id,status,headers,body}]}' })
  @ApiResponse({ status: 400, description: 'Malformed batch', type: ODataErrorResponse })
  async send(@Body() body: unknown, @Req() request: FastifyRequest): Promise<object> {
    // parseBatch refuses every URL that resolves to $batch; this is the fence behind it, so that
    // no spelling the router resolves differently can multiply one request into thousands.
    if (isInnerRequest(request)) throw new InvalidRequestError(NESTED_BATCH_MESSAGE);
    const items = parseBatch(body);
    const responses = await this.batches.execute(request.server, items, {
      headers: request.headers,
      origin: requestOrigin(request),
    });
    return { responses };
  }
}
