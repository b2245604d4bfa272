import { Controller, Get, Inject, Param, Req, Res, Type } from '@nestjs/common';
import {
  ApiExtraModels,
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
import { rawQuery } from '../common/service-root';
import { RowConstraint } from '../edm/entity';
import { EntityType } from '../edm/model';
import { negotiateJson } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { PagePosition } from '../odata/query/skip-token';
import { EntityKeyPipe, Int32KeyPipe } from './entity-key.pipe';
import { definitionOf } from './entity-set-definitions';
import { entitySetDtos } from './entity-set-dtos';
import { EntityResponder } from './entity-set.responder';
import { EntitySetService } from './entity-set.service';
import { collectionReaderToken, entitySetServiceToken } from './entity-set.tokens';
import { EntityReads } from './entity-reads.service';
import { pascalCase } from './entity-set.docs';
import { queryOptionDocs } from './query-options.docs';

/**
 * The controller of a navigation of a contained entity, `{principalSet}/{id}/{containment}/{key}/
 * {navigation}` (a run's `results`): the target set's rows that match the contained entity by the
 * navigation's `matches`, with the query options, paging and `$count` of any collection. The rows
 * are the target set's own; the contained entity must exist (404 otherwise).
 */
export function containedNavigationController(
  principal: EntityType,
  containment: string,
  name: string,
): Type<unknown> {
  const contained = principal.navigationProperties[containment].target();
  const navigation = contained.navigationProperties[name];
  const target = navigation.target();
  const matches = navigation.matches;
  if (!matches) throw new Error(`${contained.name}/${name} says no properties to match by.`);
  const principalSet = principal.entitySetName;
  const containerKey = contained.navigationProperties[contained.containedBy ?? '']?.foreignKey;
  if (!containerKey) throw new Error(`${contained.name} is not contained.`);
  const dtos = entitySetDtos(target);
  const docs = queryOptionDocs(definitionOf(target));
  const params = [
    { name: 'id', description: `The ${principal.name}'s id` },
    { name: 'key', description: `The ${contained.name}'s ${contained.key}` },
  ];
  const path = (id: string, key: string) =>
    `${principalSet}('${encodeURIComponent(id)}')/${containment}(${key})/${name}`;

  @ApiTags(principalSet)
  @ApiExtraModels(ODataErrorResponse)
  @ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
  @ApiResponse({
    status: 404,
    description: `No such ${principal.name} or ${contained.name}`,
    type: ODataErrorResponse,
  })
  @Controller(`beta/${principalSet}/:id/${containment}/:key/${name}`)
  class ContainedNavigationController {
    constructor(
      @Inject(entitySetServiceToken(contained)) readonly containedSet: EntitySetService,
      @Inject(entitySetServiceToken(target)) readonly service: EntitySetService,
      @Inject(collectionReaderToken(target)) readonly reader: CollectionRequestReader,
      readonly responder: EntityResponder,
      readonly reads: EntityReads,
    ) {}

    @Get()
    @RequirePermission('read')
    @ApiOperation({ summary: `List the ${name} of a ${contained.name}` })
    @ApiParam(params[0])
    @ApiParam(params[1])
    @ApiQuery(docs.filter)
    @ApiQuery(docs.search)
    @ApiQuery(docs.orderby)
    @ApiQuery(docs.select)
    @ApiQuery(docs.top)
    @ApiQuery(docs.skip)
    @ApiQuery(docs.count)
    @ApiQuery(docs.skiptoken)
    @ApiOkResponse({ type: dtos.collection })
    async list(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Param('key', Int32KeyPipe) key: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown>> {
      const preferences = parsePrefer(request.headers.prefer);
      const read = this.reader.read(
        rawQuery(request),
        `${caller.tenantId}/${id}/${key}`,
        preferences.maxPageSize,
      );
      const level = negotiateJson(request.headers.accept, read.format);
      const page = await this.reads.page(caller, target, read, await this.within(caller, id, key));
      const at = {
        path: path(id, key),
        skipTokenOf: (next: PagePosition) => this.reader.encodeNextPosition(read, next),
      };
      return this.responder.collection(target, at, read, page, level, request, reply);
    }

    @Get('$count')
    @RequirePermission('read')
    @ApiOperation({ summary: `Count the ${name} of a ${contained.name} (text/plain)` })
    @ApiParam(params[0])
    @ApiParam(params[1])
    @ApiQuery(docs.filter)
    @ApiQuery(docs.search)
    @ApiProduces('text/plain')
    @ApiOkResponse({ description: 'The number of matching items', schema: { type: 'integer' } })
    async count(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Param('key', Int32KeyPipe) key: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<string> {
      const query = this.reader.readCount(rawQuery(request));
      const count = await this.service.count(caller, query, await this.within(caller, id, key));
      reply.type('text/plain; charset=utf-8');
      return String(count);
    }

    /** The rows' constraint: the contained entity's values (404 when it is not the caller's). */
    private async within(caller: Caller, id: string, key: string): Promise<RowConstraint> {
      const entity = await this.containedSet.get(caller, key, { [containerKey!]: id });
      const values: Record<string, unknown> = { ...entity.properties, [contained.key]: entity.id };
      return Object.fromEntries(
        Object.entries(matches!).map(([property, source]) => [property, String(values[source])]),
      );
    }
  }

  Object.defineProperty(ContainedNavigationController, 'name', {
    value: `${pascalCase(principalSet)}${pascalCase(containment)}${pascalCase(name)}Controller`,
  });
  return ContainedNavigationController;
}
