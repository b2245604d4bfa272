import { Controller, Get, Inject, Param, Req, Res, Type, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { RowConstraint } from '../edm/entity';
import { EntityType } from '../edm/model';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { EntityKeyPipe, Int32KeyPipe } from './entity-key.pipe';
import { definitionOf } from './entity-set-definitions';
import { entitySetDtos } from './entity-set-dtos';
import { EntitySetService } from './entity-set.service';
import { collectionReaderToken, entitySetServiceToken } from './entity-set.tokens';
import { pascalCase } from './entity-set.docs';
import {
  ApiCollectionQueries,
  ApiCountQueries,
  queryOptionDocs,
  CollectionFormats,
} from './query-options.docs';
import { CollectionAnswers } from './collection-answers';

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
      @Inject(collectionReaderToken(target)) readonly reader: CollectionRequestReader,
      readonly collections: CollectionAnswers,
    ) {}

    @Get()
    @RequirePermission('read')
    @ApiOperation({ summary: `List the ${name} of a ${contained.name}` })
    @ApiParam(params[0])
    @ApiParam(params[1])
    @ApiCollectionQueries(docs)
    @ApiOkResponse({ type: dtos.collection })
    @CollectionFormats()
    async list(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Param('key', Int32KeyPipe) key: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<Record<string, unknown> | StreamableFile> {
      const at = {
        path: path(id, key),
        scope: `${caller.tenantId}/${id}/${key}`,
        within: await this.within(caller, id, key),
      };
      return this.collections.page(caller, target, this.reader, at, request, reply);
    }

    @Get('$count')
    @RequirePermission('read')
    @ApiOperation({ summary: `Count the ${name} of a ${contained.name} (text/plain)` })
    @ApiParam(params[0])
    @ApiParam(params[1])
    @ApiCountQueries(docs)
    @ApiProduces('text/plain')
    @ApiOkResponse({ description: 'The number of matching items', schema: { type: 'integer' } })
    async count(
      @CurrentCaller() caller: Caller,
      @Param('id', EntityKeyPipe) id: string,
      @Param('key', Int32KeyPipe) key: string,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<string> {
      const within = await this.within(caller, id, key);
      return this.collections.count(caller, target, this.reader, within, request, reply);
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
