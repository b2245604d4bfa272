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
  Put,
  Req,
  Res,
  Type,
  StreamableFile,
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
import { LIVE_SERVICE_PATH, rawQuery } from '../common/service-root';
import { EntityWrite } from '../edm/entity-write';
import { negotiateJson } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { parseEntityTagCondition } from '../odata/preconditions';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { EntityKeyPipe } from './entity-key.pipe';
import { EntitySetDefinition } from './entity-set-definitions';
import { entitySetDtos, entityWritePipes } from './entity-set-dtos';
import { EntityReads } from './entity-reads.service';
import { CollectionAnswers } from './collection-answers';
import {
  DELTA_DESCRIPTION,
  DELTA_EXPIRED,
  DELTA_RESPONSE,
  DELTA_TOKEN,
  pascalCase,
} from './entity-set.docs';
import { EntityResponder } from './entity-set.responder';
import { EntitySetService } from './entity-set.service';
import {
  collectionReaderToken,
  deltaReaderToken,
  entitySetServiceToken,
} from './entity-set.tokens';
import { DeltaRequestReader } from '../odata/query/delta-request';
import { CollectionFormats, queryOptionDocs } from './query-options.docs';

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
const PREFER_MINIMAL = {
  name: 'Prefer',
  required: false,
  description: '`return=minimal` answers 204.',
};

/**
 * The controller of an entity set, built from its definition: the same routes, guards, pipes and
 * OpenAPI description for every set of the model (create, list, count, get, PATCH, PUT, DELETE).
 * What differs between sets is data (the entity type, its DTOs, its examples), never code.
 */
export function entitySetController(definition: EntitySetDefinition): Type<unknown> {
  const { entity } = definition;
  const setName = entity.entitySetName;
  const dtos = entitySetDtos(entity);
  const pipes = entityWritePipes(entity);
  const docs = queryOptionDocs(definition);
  const idParam = {
    name: 'id',
    description: `The ${entity.name}'s id (a GUID). \`${setName}('{id}')\` works too.`,
    example: '7b7246f6-46f6-7b72-f646-727bf646727b',
  };
  const expandable = Object.values(entity.navigationProperties).some((n) => n.expandable);
  const ExpandQuery = expandable ? ApiQuery(docs.expand) : () => undefined;

  class ReadRoutes {
    constructor(
      @Inject(entitySetServiceToken(entity)) protected readonly service: EntitySetService,
      @Inject(collectionReaderToken(entity)) private readonly reader: CollectionRequestReader,
      @Inject(deltaReaderToken(entity)) private readonly deltaReader: DeltaRequestReader,
      protected readonly responder: EntityResponder,
      private readonly reads: EntityReads,
      private readonly collections: CollectionAnswers,
    ) {}

    @Get()
    @RequirePermission('read')
    @ApiOperation({
      summary: `List ${setName}`,
      description:
        'Newest first unless $orderby says otherwise. Pages of 100 (Prefer: odata.maxpagesize=N ' +
        'to change it, up to 999); follow @odata.nextLink for the next page.',
    })
    @ApiQuery(docs.filter)
    @ApiQuery(docs.search)
    @ApiQuery(docs.orderby)
    @ApiQuery(docs.select)
    @ExpandQuery
    @ApiQuery(docs.top)
    @ApiQuery(docs.skip)
    @ApiQuery(docs.count)
    @ApiQuery(docs.skiptoken)
    @ApiHeader({ name: 'Prefer', required: false, description: '`odata.maxpagesize=50`' })
    @ApiOkResponse({ type: dtos.collection })
    @CollectionFormats()
    async list(
      @CurrentCaller() caller: Caller,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | StreamableFile> {
      const at = { path: setName, scope: caller.tenantId };
      return this.collections.page(caller, entity, this.reader, at, request, reply);
    }

    @Get('$count')
    @RequirePermission('read')
    @ApiOperation({ summary: `Count ${setName} (text/plain)` })
    @ApiQuery(docs.filter)
    @ApiQuery(docs.search)
    @ApiProduces('text/plain')
    @ApiOkResponse({ description: 'The number of matching entities', schema: { type: 'integer' } })
    async count(
      @CurrentCaller() caller: Caller,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<string> {
      return this.collections.count(caller, entity, this.reader, undefined, request, reply);
    }

    @Get(['delta', 'microsoft.graph.delta'])
    @RequirePermission('read')
    @ApiOperation({
      summary: `Track changes to ${setName} (delta)`,
      description: DELTA_DESCRIPTION,
    })
    @ApiQuery(docs.select)
    @ApiQuery(DELTA_TOKEN)
    @ApiQuery(docs.skiptoken)
    @ApiHeader({ name: 'Prefer', required: false, description: '`odata.maxpagesize=50`' })
    @ApiOkResponse({ type: dtos.collection, description: DELTA_RESPONSE })
    @ApiResponse({ status: 410, description: DELTA_EXPIRED, type: ODataErrorResponse })
    async delta(
      @CurrentCaller() caller: Caller,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown>> {
      const preferences = parsePrefer(request.headers.prefer);
      const read = this.deltaReader.read(
        rawQuery(request),
        `${caller.tenantId}/${setName}`,
        preferences.maxPageSize,
      );
      const level = negotiateJson(request.headers.accept, read.format);
      const page = await this.service.delta(caller, read);
      const path = `${setName}/delta`;
      return this.responder.delta(
        entity,
        path,
        read,
        this.deltaReader,
        page,
        level,
        request,
        reply,
      );
    }

    @Get(':id')
    @RequirePermission('read')
    @ApiOperation({ summary: `Get ${entity.name}` })
    @ApiParam(idParam)
    @ApiQuery(docs.select)
    @ExpandQuery
    @ApiHeader(IF_NONE_MATCH)
    @ApiOkResponse({ type: dtos.entity, headers: ETAG_HEADER })
    @ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched)' })
    @ApiResponse({ status: 404, description: `No such ${entity.name}`, type: ODataErrorResponse })
    async get(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      const options = this.reader.readEntity(rawQuery(request));
      const level = negotiateJson(request.headers.accept, options.format);
      const read = await this.reads.one(caller, entity, id, options);
      return this.responder.entity(entity, read, options, level, request, reply);
    }
  }

  /** PATCH: every set that clients change. */
  class UpdateRoutes extends ReadRoutes {
    @Patch(':id')
    @RequirePermission('write')
    @ApiOperation({ summary: `Update ${entity.name} (partial; complex values are merged)` })
    @ApiParam(idParam)
    @ApiBody({ type: dtos.update })
    @ApiHeader(IF_MATCH)
    @ApiResponse({ status: 412, description: 'If-Match did not match', type: ODataErrorResponse })
    @ApiHeader(PREFER_MINIMAL)
    @ApiOkResponse({ type: dtos.entity })
    @ApiNoContentResponse({ description: 'Updated (with Prefer: return=minimal)' })
    @ApiResponse({ status: 404, description: `No such ${entity.name}`, type: ODataErrorResponse })
    async update(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Body(pipes.update) write: EntityWrite,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      // Negotiated first: a 406 leaves the entity as it was.
      const level = negotiateJson(request.headers.accept, undefined);
      const condition = parseEntityTagCondition(request.headers['if-match']);
      const updated = await this.service.update(caller, id, write, condition);
      return this.responder.changed(entity, updated, level, request, reply);
    }
  }

  /** Create, replace and delete: the sets whose entities clients own. */
  class WriteRoutes extends UpdateRoutes {
    @Post()
    @RequirePermission('write')
    @ApiOperation({ summary: `Create ${entity.name}` })
    @ApiBody({
      type: dtos.create,
      examples: Object.fromEntries(
        [
          ...(definition.example ? [definition.example] : []),
          ...(definition.moreExamples ?? []),
        ].map(({ name, summary, value }) => [name, { summary, value }]),
      ),
    })
    @ApiHeader(PREFER_MINIMAL)
    @ApiCreatedResponse({ type: dtos.entity, description: 'Created' })
    @ApiNoContentResponse({ description: 'Created (with Prefer: return=minimal)' })
    @ApiOkResponse({
      type: dtos.entity,
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
      @Body(pipes.create) write: EntityWrite,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      const level = negotiateJson(request.headers.accept, undefined);
      const outcome = await this.service.create(caller, write);
      return this.responder.created(entity, outcome, level, request, reply);
    }

    @Put(':id')
    @RequirePermission('write')
    @ApiOperation({
      summary: `Replace ${entity.name} (every property; what is not sent is reset)`,
      description:
        'OData 4.01 §11.4.3. Every required property must be sent; dynamic properties not sent ' +
        "are removed, complex values replaced whole. id and the timestamps stay the service's, " +
        'and a write-only (secret) value not sent keeps its value (it is never returned, so a ' +
        'client cannot send it back).',
    })
    @ApiParam(idParam)
    @ApiBody({ type: dtos.create })
    @ApiHeader(IF_MATCH)
    @ApiResponse({ status: 412, description: 'If-Match did not match', type: ODataErrorResponse })
    @ApiHeader(PREFER_MINIMAL)
    @ApiOkResponse({ type: dtos.entity })
    @ApiNoContentResponse({ description: 'Replaced (with Prefer: return=minimal)' })
    @ApiResponse({ status: 404, description: `No such ${entity.name}`, type: ODataErrorResponse })
    async replace(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Body(pipes.replace) write: EntityWrite,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      // Negotiated first: a 406 leaves the entity as it was.
      const level = negotiateJson(request.headers.accept, undefined);
      const condition = parseEntityTagCondition(request.headers['if-match']);
      const replaced = await this.service.replace(caller, id, write, condition);
      return this.responder.changed(entity, replaced, level, request, reply);
    }

    @Delete(':id')
    @RequirePermission('write')
    @HttpCode(204)
    @ApiOperation({
      summary: `Delete ${entity.name}`,
      description: deletionNote(definition),
    })
    @ApiParam(idParam)
    @ApiHeader(IF_MATCH)
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiResponse({ status: 412, description: 'If-Match did not match', type: ODataErrorResponse })
    @ApiResponse({ status: 404, description: `No such ${entity.name}`, type: ODataErrorResponse })
    async remove(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Req() request: FastifyRequest,
    ): Promise<void> {
      await this.service.remove(caller, id, parseEntityTagCondition(request.headers['if-match']));
    }
  }

  // A set the service writes (readOnly) has reads only; one whose entities the service creates
  // and clients change (updateOnly) has no create, replace or delete routes.
  @ApiTags(setName)
  @ApiExtraModels(ODataErrorResponse)
  @ApiHeader(CLIENT_REQUEST_ID)
  @ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
  @ApiResponse({ status: 500, description: 'Unexpected error', type: ODataErrorResponse })
  // Also where the live service serves the family; the operations there take the live shape
  // (src/live-api).
  @Controller(
    entity.entitySetName === 'managedTenantOperations'
      ? `beta/${setName}`
      : [`beta/${setName}`, `beta/${LIVE_SERVICE_PATH}/${setName}`],
  )
  class EntitySetController extends (entity.readOnly
    ? ReadRoutes
    : entity.updateOnly
      ? UpdateRoutes
      : WriteRoutes) {}

  Object.defineProperty(EntitySetController, 'name', {
    value: `${pascalCase(setName)}Controller`,
  });
  return EntitySetController;
}

/** What else a delete removes: the dependents that name this entity with a cascade. */
function deletionNote({ entity }: EntitySetDefinition): string | undefined {
  const dependents = Object.values(entity.navigationProperties)
    .filter((navigation) => navigation.collection)
    .map((navigation) => navigation.target())
    .filter((target) =>
      Object.values(target.navigationProperties).some(
        (back) => back.onDelete === 'cascade' && back.target() === entity,
      ),
    )
    .map((target) => target.entitySetName);
  return dependents.length ? `Deletes its ${dependents.join(' and ')} too.` : undefined;
}
