import { Controller, Get, Param, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { LIVE_SERVICE_PATH, rawQuery } from '../common/service-root';
import { MANAGED_TENANTS_NAMESPACE, tenant, tenantGroup } from '../edm/model';
import { BOUND_FUNCTIONS } from '../edm/model-bound-operations';
import { definitionOf } from '../entity-sets/entity-set-definitions';
import { entitySetDtos } from '../entity-sets/entity-set-dtos';
import { EntityKeyPipe } from '../entity-sets/entity-key.pipe';
import { EntityResponder } from '../entity-sets/entity-set.responder';
import { CollectionFormats, queryOptionDocs } from '../entity-sets/query-options.docs';
import { CollectionExport } from '../entity-sets/collection-export';
import { negotiateCollection } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { PagePosition } from '../odata/query/skip-token';
import { TenantGroupMembers } from './tenant-group-members.service';

const SET = tenantGroup.entitySetName;
const MEMBERS = BOUND_FUNCTIONS.find(
  (bound) => bound.binding === tenantGroup && bound.name === 'members',
)!;
const docs = queryOptionDocs(definitionOf(tenant));

/** The bound function `members` of a group, by name and by qualified name. */
@ApiTags(SET)
@ApiExtraModels(ODataErrorResponse)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@ApiResponse({ status: 404, description: 'No such tenantGroup', type: ODataErrorResponse })
@Controller([`beta/${SET}/:id`, `beta/${LIVE_SERVICE_PATH}/${SET}/:id`])
export class TenantGroupMembersController {
  constructor(
    private readonly members: TenantGroupMembers,
    private readonly responder: EntityResponder,
    private readonly exports: CollectionExport,
  ) {}

  @Get(['members', `${MANAGED_TENANTS_NAMESPACE}.members`])
  @RequirePermission('read')
  @ApiOperation({ summary: "A group's member tenants", description: MEMBERS.description })
  @ApiParam({ name: 'id', description: "The tenantGroup's id (a GUID)." })
  @ApiQuery(docs.filter)
  @ApiQuery(docs.search)
  @ApiQuery(docs.orderby)
  @ApiQuery(docs.select)
  @ApiQuery(docs.top)
  @ApiQuery(docs.count)
  @ApiQuery(docs.skiptoken)
  @ApiOkResponse({ type: entitySetDtos(tenant).collection })
  @CollectionFormats()
  async list(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | StreamableFile> {
    const preferences = parsePrefer(request.headers.prefer);
    const asked = await this.members.request(
      caller,
      id,
      rawQuery(request),
      preferences.maxPageSize,
    );
    const answer = negotiateCollection(request.headers.accept, asked.read.format);
    if ('file' in answer) {
      return this.exports.file(caller, tenant, asked.read, undefined, answer.file, 'members');
    }
    const { read, page, reader } = await this.members.page(caller, asked);
    const level = answer.level;
    const links = {
      path: `${SET}/${id}/members`,
      skipTokenOf: (next: PagePosition) => reader.encodeNextPosition(read, next),
    };
    return this.responder.collection(tenant, links, read, page, level, request, reply);
  }
}
