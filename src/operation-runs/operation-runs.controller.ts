import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { entityTagOf } from '../edm/entity';
import { GRAPH_NAMESPACE, managedTenantOperation } from '../edm/model';
import { BOUND_ACTIONS } from '../edm/model-bound-operations';
import { entitySetDtos } from '../entity-sets/entity-set-dtos';
import { EntityKeyPipe } from '../entity-sets/entity-key.pipe';
import { EntityResponder } from '../entity-sets/entity-set.responder';
import { negotiateJson } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { MAX_WAIT_SECONDS, OperationRunsService } from './operation-runs.service';

const SET = managedTenantOperation.entitySetName;
const ID_PARAM = {
  name: 'id',
  description: "The managedTenantOperation's id (a GUID).",
  example: '7b7246f6-46f6-7b72-f646-727bf646727b',
};
const PREFER_WAIT = {
  name: 'Prefer',
  required: false,
  description: `\`wait=N\` (N ≤ ${MAX_WAIT_SECONDS}): wait up to N seconds and answer 200 with the finished operation if it finished by then (RFC 7240).`,
};
const ACCEPTED_HEADERS = {
  Location: {
    description: "The operation's URL: poll it for status and result",
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before polling', schema: { type: 'integer' } },
};
/** Seconds a client is asked to wait before it polls a run. */
const POLL_AFTER_SECONDS = 1;

const describe = (name: string) =>
  BOUND_ACTIONS.find((action) => action.name === name)!.description;

/**
 * The bound actions of operations (src/edm/model.ts, BOUND_ACTIONS): `run` and `cancel`, by name
 * and by qualified name (`/microsoft.graph.run`), asynchronous as OData and Graph's long-running
 * actions are: 202 Accepted with the URL to poll.
 */
@ApiTags(SET)
@ApiExtraModels(ODataErrorResponse)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@ApiResponse({
  status: 404,
  description: 'No such managedTenantOperation',
  type: ODataErrorResponse,
})
@Controller(`beta/${SET}/:id`)
export class OperationRunsController {
  constructor(
    private readonly runs: OperationRunsService,
    private readonly responder: EntityResponder,
  ) {}

  @Post(['run', `${GRAPH_NAMESPACE}.run`])
  @RequirePermission('write')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run managedTenantOperation', description: describe('run') })
  @ApiParam(ID_PARAM)
  @ApiHeader(PREFER_WAIT)
  @ApiAcceptedResponse({ description: 'Started', headers: ACCEPTED_HEADERS })
  @ApiOkResponse({
    type: entitySetDtos(managedTenantOperation).entity,
    description: 'Finished within Prefer: wait',
  })
  @ApiResponse({ status: 409, description: 'It is running already', type: ODataErrorResponse })
  async run(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown> | undefined> {
    const level = negotiateJson(request.headers.accept, undefined);
    const wait = parsePrefer(request.headers.prefer).wait;
    const waitSeconds = wait === undefined ? 0 : Math.min(wait, MAX_WAIT_SECONDS);
    const { operation, finished } = await this.runs.run(caller, id, waitSeconds);
    const serviceRoot = this.responder.serviceRoot(request);
    const representation = this.responder.representationOf(managedTenantOperation);
    reply.header('Location', representation.url(serviceRoot, id));
    if (wait !== undefined) reply.header('Preference-Applied', `wait=${waitSeconds}`);
    if (!finished) {
      reply.header('Retry-After', String(POLL_AFTER_SECONDS));
      return undefined;
    }
    reply.status(200).header('ETag', entityTagOf(operation));
    return this.responder.json(
      reply,
      level,
      representation.single(operation, { serviceRoot, level }),
    );
  }

  @Post(['cancel', `${GRAPH_NAMESPACE}.cancel`])
  @RequirePermission('write')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel managedTenantOperation', description: describe('cancel') })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({
    description: 'Stopping: calls in flight are stopped at once, and it ends cancelled',
    headers: ACCEPTED_HEADERS,
  })
  @ApiResponse({ status: 409, description: 'It is not running', type: ODataErrorResponse })
  async cancel(
    @CurrentCaller() caller: Caller,
    @Param('id', EntityKeyPipe) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.runs.cancel(caller, id);
    const serviceRoot = this.responder.serviceRoot(request);
    reply
      .header(
        'Location',
        this.responder.representationOf(managedTenantOperation).url(serviceRoot, id),
      )
      .header('Retry-After', String(POLL_AFTER_SECONDS));
  }
}
