import { Controller, Get, Param, Req, Res } from '@nestjs/common';
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
import { BOUND_FUNCTIONS, MANAGED_TENANTS_NAMESPACE, tenant, tenantGroup } from '../edm/model';
import { definitionOf } from '../entity-sets/entity-set-definitions';
import { entitySetDtos } from '../entity-sets/entity-set-dtos';
import { EntityKeyPipe } from '../entity-sets/entity-key.pipe';
import { EntityResponder } from '../entity-sets/entity-set.responder';
import { queryOptionDocs } from '../entity-sets/query-options.docs';
import { negotiateJson } from '../odata/format';
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
  async list(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const preferences = parsePrefer(request.headers.prefer);
    const { read, page, reader } = await this.members.page(
      caller,
      id,
      rawQuery(request),
      preferences.maxPageSize,
    );
    const level = negotiateJson(request.headers.accept, read.format);
    const links = {
      path: `${SET}/${id}/members`,
      skipTokenOf: (next: PagePosition) => reader.encodeNextPosition(read, next),
    };
    return this.responder.collection(tenant, links, read, page, level, request, reply);
  }
}
