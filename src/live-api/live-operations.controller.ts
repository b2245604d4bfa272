import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { PartialResultsError } from '../common/errors';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { LIVE_SERVICE_PATH } from '../common/service-root';
import { Entity, entityTagOf } from '../edm/entity';
import { managedTenantOperation } from '../edm/model';
import { EntityKeyPipe } from '../entity-sets/entity-key.pipe';
import { EntityResponder } from '../entity-sets/entity-set.responder';
import { negotiateJson } from '../odata/format';
import { toLive } from './live-operation-shape';
import { CollectionAnswers } from '../entity-sets/collection-answers';
import { collectionReaderToken } from '../entity-sets/entity-set.tokens';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { parseEntityTagCondition } from '../odata/preconditions';
import { LIVE_RUN_WAIT_SECONDS, LiveOperations } from './live-operations.service';

const LIVE_SET = `${LIVE_SERVICE_PATH}/${managedTenantOperation.entitySetName}`;
/** Seconds a client is asked to wait before it reads an operation whose run goes on. */
const POLL_AFTER_SECONDS = 1;

const EXAMPLE = {
  displayName: 'getUsers',
  returnsPartialResults: false,
  target: { allTenants: true },
  operationDefinition: {
    values: [
      '@sys.normalize([ConsistencyLevel: eventual GET /v1.0/users?$top=5&$search="displayName:x"])',
    ],
  },
  aggregationDefinition: { values: ['@sys.append([/result],50)'] },
};

/**
 * Operations as the live service takes them: a create in the live shape runs at once and
 * answers with the finished operation, its rows in `result.results`.
 */
@ApiTags(managedTenantOperation.entitySetName)
@ApiExtraModels(ODataErrorResponse)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@Controller(`beta/${LIVE_SET}`)
export class LiveOperationsController {
  constructor(
    private readonly live: LiveOperations,
    private readonly responder: EntityResponder,
    private readonly collections: CollectionAnswers,
    @Inject(collectionReaderToken(managedTenantOperation))
    private readonly reader: CollectionRequestReader,
  ) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({
    summary: 'List managedTenantOperations (the live service’s shape)',
    description:
      'Every query option, with this service’s property names ($filter=name eq …); the operations answer in the live shape.',
  })
  @ApiOkResponse({ description: 'A page of operations in the live shape' })
  async list(
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | StreamableFile> {
    const at = { path: LIVE_SET, scope: caller.tenantId };
    const page = await this.collections.page(
      caller,
      managedTenantOperation,
      this.reader,
      at,
      request,
      reply,
    );
    // A file (CSV, NDJSON) has this service's column names, as its $select and $filter do.
    if (page instanceof StreamableFile) return page;
    const value = Array.isArray(page.value) ? (page.value as Array<Record<string, unknown>>) : [];
    return { ...page, value: value.map(toLive) };
  }

  @Patch(':id')
  @RequirePermission('write')
  @ApiOperation({ summary: 'Update managedTenantOperation (the live service’s shape)' })
  @ApiBody({ schema: { type: 'object' } })
  @ApiOkResponse({ description: 'The operation in the live shape' })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    const level = negotiateJson(request.headers.accept, undefined);
    const condition = parseEntityTagCondition(request.headers['if-match']);
    const operation = await this.live.update(caller, id, body, condition);
    reply.header('ETag', entityTagOf(operation));
    return this.responder.json(reply, level, this.liveOf(operation, request, level));
  }

  @Delete(':id')
  @RequirePermission('write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete managedTenantOperation' })
  async remove(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.live.remove(caller, id, parseEntityTagCondition(request.headers['if-match']));
  }

  @Post()
  @RequirePermission('write')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create and run managedTenantOperation (the live service’s shape)',
    description:
      'The live field names (displayName, operationDefinition.values, aggregationDefinition.values, returnsPartialResults); ' +
      "without credentials, the caller's own token is the on-behalf-of assertion. Answers when the run is over " +
      `(up to ${LIVE_RUN_WAIT_SECONDS} s; else 202 with Location), the rows in result.results (one JSON string). ` +
      'When tenants failed and returnsPartialResults is false: 424, error.message the JSON of the operation.',
  })
  @ApiBody({
    schema: { type: 'object' },
    examples: { live: { summary: 'As a partner tool sends it', value: EXAMPLE } },
  })
  @ApiCreatedResponse({ description: 'Run and finished: the operation in the live shape' })
  @ApiAcceptedResponse({ description: 'Still running: read it at Location' })
  @ApiResponse({ status: 424, description: 'Tenants failed', type: ODataErrorResponse })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    const level = negotiateJson(request.headers.accept, undefined);
    const bearer = (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
    const { operation, finished } = await this.live.createAndRun(caller, body, bearer);
    reply.header('Location', `${this.responder.serviceRoot(request)}/${LIVE_SET}/${operation.id}`);
    if (!finished) {
      reply.status(202).header('Retry-After', String(POLL_AFTER_SECONDS));
      return undefined;
    }
    const live = this.liveOf(operation, request, level);
    const partial = operation.properties.status !== 'succeeded';
    if (partial && operation.dynamicProperties.returnsPartialResults !== true) {
      throw new PartialResultsError(JSON.stringify(live));
    }
    reply.header('ETag', entityTagOf(operation));
    return this.responder.json(reply, level, live);
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Get managedTenantOperation (the live service’s shape)' })
  @ApiOkResponse({ description: 'The operation in the live shape' })
  @ApiResponse({
    status: 404,
    description: 'No such managedTenantOperation',
    type: ODataErrorResponse,
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    const level = negotiateJson(request.headers.accept, undefined);
    const operation = await this.live.get(caller, id);
    reply.header('ETag', entityTagOf(operation));
    return this.responder.json(reply, level, this.liveOf(operation, request, level));
  }

  private liveOf(
    operation: Entity,
    request: FastifyRequest,
    level: ReturnType<typeof negotiateJson>,
  ): Record<string, unknown> {
    const representation = this.responder.representationOf(managedTenantOperation);
    return toLive(
      representation.single(operation, { serviceRoot: this.responder.serviceRoot(request), level }),
    );
  }
}
