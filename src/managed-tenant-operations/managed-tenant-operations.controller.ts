import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { rawQuery, SERVICE_ROOT_PATH, serviceRootUrl } from '../common/service-root';
import { managedTenantOperation } from '../edm/model';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { QUERY_OPTIONS } from './dto/query-options.docs';
import { AppConfigService } from '../config/app-config.service';
import { EntityWrite } from '../edm/entity-write';
import { MetadataLevel } from '../edm/representation';
import { negotiateJson, odataJsonContentType } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { conditionMatches, parseEntityTagCondition } from '../odata/preconditions';
import { entityTagOf } from './entity-tag';
import { EntityKeyPipe } from './dto/entity-key.pipe';
import { CreateBodyPipe, ReplaceBodyPipe, UpdateBodyPipe } from './dto/entity-write.pipe';
import {
  CreateManagedTenantOperationDto,
  ManagedTenantOperationCollectionResponseDto,
  ManagedTenantOperationResponseDto,
  UpdateManagedTenantOperationDto,
} from './dto/managed-tenant-operation.dtos';
import { operationUrl, representPage, representSingle } from './managed-tenant-operation.mapper';
import { ManagedTenantOperationsService } from './managed-tenant-operations.service';
import { seedExampleRequest } from './seed-example';
import { ManagedTenantOperation } from './managed-tenant-operation';

const ID_PARAM = {
  name: 'id',
  description: "The operation's id (a GUID). `managedTenantOperations('{id}')` works too.",
  example: '7b7246f6-46f6-7b72-f646-727bf646727b',
};
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'Apply only if the entity still has this ETag (or `*`: if it exists); else 412.',
};
const IF_NONE_MATCH = {
  name: 'If-None-Match',
  required: false,
  description: 'Answer 304 if the entity still has this ETag.',
};
const ETAG_HEADER = {
  ETag: { description: 'The weak ETag of the entity', schema: { type: 'string' } },
};
const CLIENT_REQUEST_ID = {
  name: 'client-request-id',
  required: false,
  description: 'Echoed in the response and in error bodies.',
};

@ApiTags('managedTenantOperations')
@ApiExtraModels(ODataErrorResponse)
@ApiHeader(CLIENT_REQUEST_ID)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@ApiResponse({ status: 500, description: 'Unexpected error', type: ODataErrorResponse })
@Controller('beta/managedTenantOperations')
export class ManagedTenantOperationsController {
  constructor(
    private readonly operations: ManagedTenantOperationsService,
    private readonly config: AppConfigService,
    private readonly collectionReader: CollectionRequestReader,
  ) {}

  @Post()
  @RequirePermission('write')
  @ApiOperation({ summary: 'Create managedTenantOperation' })
  @ApiBody({
    type: CreateManagedTenantOperationDto,
    examples: { seed: { summary: "The seed page's example", value: seedExampleRequest } },
  })
  @ApiHeader({ name: 'Prefer', required: false, description: '`return=minimal` answers 204.' })
  @ApiCreatedResponse({ type: ManagedTenantOperationResponseDto, description: 'Created' })
  @ApiNoContentResponse({ description: 'Created (with Prefer: return=minimal)' })
  @ApiOkResponse({
    type: ManagedTenantOperationResponseDto,
    description: 'A retry: this requestId created this entity before, with the same body',
  })
  @ApiResponse({
    status: 409,
    description: 'The id exists already, or the requestId was used with another body',
    type: ODataErrorResponse,
  })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ODataErrorResponse })
  @ApiResponse({ status: 415, description: 'Body is not JSON', type: ODataErrorResponse })
  async create(
    @CurrentCaller() caller: Caller,
    @Body(CreateBodyPipe) write: EntityWrite,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    const level = negotiateJson(request.headers.accept, undefined);
    const { operation, created } = await this.operations.create(caller, write);
    const root = this.serviceRoot(request);
    const url = operationUrl(root, operation.id);
    reply.header('Location', url).header('ETag', entityTagOf(operation));
    // OData Protocol 4.01 §8.2.8.7 and §11.4.2: return=minimal answers 204 with OData-EntityId.
    if (parsePrefer(request.headers.prefer).return === 'minimal') {
      reply
        .status(204)
        .header('OData-EntityId', url)
        .header('Preference-Applied', 'return=minimal');
      return undefined;
    }
    // A retried create (same requestId, same body) answers with what the first one created.
    reply.status(created ? 201 : 200);
    return this.respond(reply, level, representSingle(operation, { serviceRoot: root, level }));
  }

  @Get()
  @RequirePermission('read')
  @ApiOperation({
    summary: 'List managedTenantOperations',
    description:
      'Newest first unless $orderby says otherwise. Pages of 100 (Prefer: odata.maxpagesize=N to ' +
      'change it, up to 999); follow @odata.nextLink for the next page.',
  })
  @ApiQuery(QUERY_OPTIONS.filter)
  @ApiQuery(QUERY_OPTIONS.search)
  @ApiQuery(QUERY_OPTIONS.orderby)
  @ApiQuery(QUERY_OPTIONS.select)
  @ApiQuery(QUERY_OPTIONS.top)
  @ApiQuery(QUERY_OPTIONS.skip)
  @ApiQuery(QUERY_OPTIONS.count)
  @ApiQuery(QUERY_OPTIONS.skiptoken)
  @ApiHeader({ name: 'Prefer', required: false, description: '`odata.maxpagesize=50`' })
  @ApiOkResponse({ type: ManagedTenantOperationCollectionResponseDto })
  async list(
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const preferences = parsePrefer(request.headers.prefer);
    const read = this.collectionReader.read(
      rawQuery(request),
      caller.tenantId,
      preferences.maxPageSize,
    );
    const level = negotiateJson(request.headers.accept, read.format);
    const page = await this.operations.list(caller, read);
    if (read.pageSizePreferred) {
      reply.header('Preference-Applied', `odata.maxpagesize=${read.pageSize}`);
    }
    const nextLink = page.next
      ? this.nextLink(
          read.nextLinkOptions,
          this.collectionReader.encodeNextPosition(read, page.next),
        )
      : undefined;
    const context = {
      serviceRoot: this.serviceRoot(request),
      level,
      select: read.query.select,
      selectText: read.selectText,
    };
    return this.respond(
      reply,
      level,
      representPage(page.operations, context, page.count, nextLink),
    );
  }

  @Get('$count')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Count managedTenantOperations (text/plain)' })
  @ApiQuery(QUERY_OPTIONS.filter)
  @ApiQuery(QUERY_OPTIONS.search)
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The number of matching operations', schema: { type: 'integer' } })
  async count(
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const count = await this.operations.count(
      caller,
      this.collectionReader.readCount(rawQuery(request)),
    );
    reply.type('text/plain; charset=utf-8');
    return String(count);
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Get managedTenantOperation' })
  @ApiParam(ID_PARAM)
  @ApiQuery(QUERY_OPTIONS.select)
  @ApiHeader(IF_NONE_MATCH)
  @ApiOkResponse({ type: ManagedTenantOperationResponseDto, headers: ETAG_HEADER })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched)' })
  @ApiResponse({ status: 404, description: 'No such operation', type: ODataErrorResponse })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    const options = this.collectionReader.readEntity(rawQuery(request));
    const level = negotiateJson(request.headers.accept, options.format);
    const operation = await this.operations.get(caller, id);
    const etag = entityTagOf(operation);
    reply.header('ETag', etag);
    const unlessMatch = parseEntityTagCondition(request.headers['if-none-match']);
    if (unlessMatch && conditionMatches(unlessMatch, etag)) {
      reply.status(304);
      return undefined;
    }
    const context = { serviceRoot: this.serviceRoot(request), level, ...options };
    return this.respond(reply, level, representSingle(operation, context));
  }

  @Patch(':id')
  @RequirePermission('write')
  @ApiOperation({ summary: 'Update managedTenantOperation (partial; complex values are merged)' })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: UpdateManagedTenantOperationDto })
  @ApiHeader(IF_MATCH)
  @ApiResponse({ status: 412, description: 'If-Match did not match', type: ODataErrorResponse })
  @ApiHeader({ name: 'Prefer', required: false, description: '`return=minimal` answers 204.' })
  @ApiOkResponse({ type: ManagedTenantOperationResponseDto })
  @ApiNoContentResponse({ description: 'Updated (with Prefer: return=minimal)' })
  @ApiResponse({ status: 404, description: 'No such operation', type: ODataErrorResponse })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Body(UpdateBodyPipe) write: EntityWrite,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    // Negotiated first: a 406 leaves the entity as it was.
    const level = negotiateJson(request.headers.accept, undefined);
    const condition = parseEntityTagCondition(request.headers['if-match']);
    const operation = await this.operations.update(caller, id, write, condition);
    return this.respondToChange(operation, level, request, reply);
  }

  @Put(':id')
  @RequirePermission('write')
  @ApiOperation({
    summary: 'Replace managedTenantOperation (every property; what is not sent is reset)',
    description:
      'OData 4.01 §11.4.3. Every required property must be sent; dynamic properties not sent are ' +
      "removed, complex values replaced whole. id and the timestamps stay the service's, and a " +
      'dapAccessToken not sent keeps its value (it is never returned, so a client cannot send it back).',
  })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: CreateManagedTenantOperationDto })
  @ApiHeader(IF_MATCH)
  @ApiResponse({ status: 412, description: 'If-Match did not match', type: ODataErrorResponse })
  @ApiHeader({ name: 'Prefer', required: false, description: '`return=minimal` answers 204.' })
  @ApiOkResponse({ type: ManagedTenantOperationResponseDto })
  @ApiNoContentResponse({ description: 'Replaced (with Prefer: return=minimal)' })
  @ApiResponse({ status: 404, description: 'No such operation', type: ODataErrorResponse })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Body(ReplaceBodyPipe) write: EntityWrite,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    // Negotiated first: a 406 leaves the entity as it was.
    const level = negotiateJson(request.headers.accept, undefined);
    const condition = parseEntityTagCondition(request.headers['if-match']);
    const operation = await this.operations.replace(caller, id, write, condition);
    return this.respondToChange(operation, level, request, reply);
  }

  @Delete(':id')
  @RequirePermission('write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete managedTenantOperation' })
  @ApiParam(ID_PARAM)
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiResponse({ status: 412, description: 'If-Match did not match', type: ODataErrorResponse })
  @ApiResponse({ status: 404, description: 'No such operation', type: ODataErrorResponse })
  async remove(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.operations.remove(caller, id, parseEntityTagCondition(request.headers['if-match']));
  }

  /** The answer to PATCH and PUT: the ETag, and the entity, or 204 with Prefer: return=minimal. */
  private respondToChange(
    operation: ManagedTenantOperation,
    level: MetadataLevel,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Record<string, unknown> | undefined {
    reply.header('ETag', entityTagOf(operation));
    if (parsePrefer(request.headers.prefer).return === 'minimal') {
      reply.status(204).header('Preference-Applied', 'return=minimal');
      return undefined;
    }
    return this.respond(
      reply,
      level,
      representSingle(operation, { serviceRoot: this.serviceRoot(request), level }),
    );
  }

  /** Sends a JSON body with the Content-Type of its metadata level. */
  private respond<T>(reply: FastifyReply, level: MetadataLevel, body: T): T {
    reply.type(odataJsonContentType(level));
    return body;
  }

  private serviceRoot(request: FastifyRequest): string {
    return serviceRootUrl(request, this.config.values.publicBaseUrl);
  }

  /**
   * The next page's URL: the same options plus `$skiptoken`. Relative to the service root by
   * default (OData JSON 4.01 §4.6 resolves it against the context URL; the Graph JS SDK's
   * PageIterator mistakes an absolute http:// link for a path), absolute on PUBLIC_BASE_URL.
   */
  private nextLink(options: ReadonlyArray<readonly [string, string]>, skipToken: string): string {
    const query = [...options, ['$skiptoken', skipToken] as const]
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('&');
    const path = `${managedTenantOperation.entitySetName}?${query}`;
    const base = this.config.values.publicBaseUrl;
    return base ? `${base}${SERVICE_ROOT_PATH}/${path}` : path;
  }
}
