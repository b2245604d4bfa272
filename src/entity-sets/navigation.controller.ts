import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
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
import { ItemNotFoundError } from '../common/errors';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { rawQuery } from '../common/service-root';
import { RowConstraint } from '../edm/entity';
import { EntityWrite } from '../edm/entity-write';
import { EntityType, hasNumericKey } from '../edm/model';
import { negotiateJson } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { EntityKeyPipe, Int32KeyPipe } from './entity-key.pipe';
import { definitionOf } from './entity-set-definitions';
import { entitySetDtos, entityWritePipes } from './entity-set-dtos';
import { EntityResponder } from './entity-set.responder';
import { EntityReads } from './entity-reads.service';
import { EntitySetService } from './entity-set.service';
import {
  collectionReaderToken,
  deltaReaderToken,
  entitySetServiceToken,
} from './entity-set.tokens';
import {
  DELTA_DESCRIPTION,
  DELTA_EXPIRED,
  DELTA_RESPONSE,
  DELTA_TOKEN,
  pascalCase,
} from './entity-set.docs';
import { DeltaRequestReader } from '../odata/query/delta-request';
import {
  ApiCollectionQueries,
  ApiCountQueries,
  CollectionFormats,
  queryOptionDocs,
} from './query-options.docs';
import { CollectionAnswers } from './collection-answers';

/**
 * The controller of a collection navigation, `{principalSet}/{id}/{navigation}`, built from the
 * model: the target set's rows whose foreign key is the principal's id, with every query option,
 * paging, `$count`, one item by key, and POST (the foreign key implied). The rows are the target
 * set's own (same ids, same ETags); a client gains and loses nothing by using either URL.
 */
export function navigationController(principal: EntityType, name: string): Type<unknown> {
  const navigation = principal.navigationProperties[name];
  const target = navigation.target();
  const foreignKey = navigation.partner
    ? target.navigationProperties[navigation.partner]?.foreignKey
    : undefined;
  if (!foreignKey) throw new Error(`${principal.name}/${name} has no referential constraint.`);
  const constrained: string = foreignKey;
  const principalSet = principal.entitySetName;
  const dtos = entitySetDtos(target);
  const pipes = entityWritePipes(target);
  const docs = queryOptionDocs(definitionOf(target));
  const idParam = { name: 'id', description: `The ${principal.name}'s id` };
  const path = (id: string) => `${principalSet}('${encodeURIComponent(id)}')/${name}`;

  const itemKeyPipe = hasNumericKey(target) ? Int32KeyPipe : EntityKeyPipe;

  /** The reads of the navigation; a navigation to a type clients may write adds POST below. */
  class NavigationReads {
    constructor(
      @Inject(entitySetServiceToken(principal)) readonly principals: EntitySetService,
      @Inject(entitySetServiceToken(target)) readonly service: EntitySetService,
      @Inject(collectionReaderToken(target)) readonly reader: CollectionRequestReader,
      @Inject(deltaReaderToken(target)) readonly deltaReader: DeltaRequestReader,
      readonly responder: EntityResponder,
      readonly reads: EntityReads,
      readonly collections: CollectionAnswers,
    ) {}

    @Get()
    @RequirePermission('read')
    @ApiOperation({ summary: `List the ${name} of a ${principal.name}` })
    @ApiParam(idParam)
    @ApiCollectionQueries(docs)
    @ApiOkResponse({ type: dtos.collection })
    @CollectionFormats()
    async list(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | StreamableFile> {
      // The principal is part of the query's identity: a skiptoken works for its navigation only.
      const at = {
        path: path(id),
        scope: `${caller.tenantId}/${id}`,
        within: await this.within(caller, id),
      };
      return this.collections.page(caller, target, this.reader, at, request, reply);
    }

    @Get('$count')
    @RequirePermission('read')
    @ApiOperation({ summary: `Count the ${name} of a ${principal.name} (text/plain)` })
    @ApiParam(idParam)
    @ApiCountQueries(docs)
    @ApiProduces('text/plain')
    @ApiOkResponse({ description: 'The number of matching items', schema: { type: 'integer' } })
    async count(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<string> {
      const within = await this.within(caller, id);
      return this.collections.count(caller, target, this.reader, within, request, reply);
    }

    @Get(['delta', 'microsoft.graph.delta'])
    @RequirePermission('read')
    @ApiOperation({
      summary: `Track changes to the ${name} of a ${principal.name} (delta)`,
      description: DELTA_DESCRIPTION,
    })
    @ApiParam(idParam)
    @ApiQuery(docs.select)
    @ApiQuery(DELTA_TOKEN)
    @ApiQuery(docs.skiptoken)
    @ApiOkResponse({ type: dtos.collection, description: DELTA_RESPONSE })
    @ApiResponse({ status: 410, description: DELTA_EXPIRED, type: ODataErrorResponse })
    async delta(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown>> {
      const preferences = parsePrefer(request.headers.prefer);
      const read = this.deltaReader.read(
        rawQuery(request),
        `${caller.tenantId}/${principalSet}/${id}/${name}`,
        preferences.maxPageSize,
      );
      const level = negotiateJson(request.headers.accept, read.format);
      const page = await this.service.delta(caller, read, await this.within(caller, id));
      const deltaPath = `${path(id)}/delta`;
      return this.responder.delta(
        target,
        deltaPath,
        read,
        this.deltaReader,
        page,
        level,
        request,
        reply,
      );
    }

    @Get(':itemId')
    @RequirePermission('read')
    @ApiOperation({ summary: `Get one of the ${name} of a ${principal.name}` })
    @ApiParam(idParam)
    @ApiParam({ name: 'itemId', description: `The ${target.name}'s ${target.key}` })
    @ApiQuery(docs.select)
    @ApiOkResponse({ type: dtos.entity })
    async get(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Param('itemId', itemKeyPipe) itemId: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      const options = this.reader.readEntity(rawQuery(request));
      const level = negotiateJson(request.headers.accept, options.format);
      // An item of a navigation is read without `$expand`, as its Swagger operation says.
      const item = { ...options, expand: undefined };
      const read = await this.reads.one(
        caller,
        target,
        itemId,
        item,
        await this.within(caller, id),
      );
      return this.responder.entity(target, read, item, level, request, reply);
    }

    /** The constraint of the navigation; 404 when the caller's tenant has no such principal. */
    protected async within(caller: Caller, id: string): Promise<RowConstraint> {
      if (!(await this.principals.exists(caller, id))) {
        throw new ItemNotFoundError(principalSet, id);
      }
      return { [constrained]: id };
    }
  }

  class WritableNavigation extends NavigationReads {
    @Post()
    @RequirePermission('write')
    @ApiOperation({
      summary: `Create one of the ${name} of a ${principal.name}`,
      description: `${foreignKey} is the ${principal.name}'s id; it may be left out.`,
    })
    @ApiParam(idParam)
    @ApiBody({ type: dtos.create })
    @ApiHeader({ name: 'Prefer', required: false, description: '`return=minimal` answers 204.' })
    @ApiCreatedResponse({ type: dtos.entity, description: 'Created' })
    async create(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Body(pipes.createThrough(constrained)) write: EntityWrite,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | undefined> {
      const level = negotiateJson(request.headers.accept, undefined);
      const outcome = await this.service.create(caller, write, await this.within(caller, id));
      return this.responder.created(target, outcome, level, request, reply);
    }
  }

  const NavigationController = target.readOnly
    ? class extends NavigationReads {}
    : WritableNavigation;
  applyDecorators(
    ApiTags(principalSet),
    ApiExtraModels(ODataErrorResponse),
    ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse }),
    ApiResponse({
      status: 404,
      description: `No such ${principal.name} (or item)`,
      type: ODataErrorResponse,
    }),
    Controller(`beta/${principalSet}/:id/${name}`),
  )(NavigationController);
  Object.defineProperty(NavigationController, 'name', {
    value: `${pascalCase(principalSet)}${pascalCase(name)}Controller`,
  });
  return NavigationController;
}
