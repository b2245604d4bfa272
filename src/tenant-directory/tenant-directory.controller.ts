import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { LIVE_SERVICE_PATH } from '../common/service-root';
import { MANAGED_TENANTS_NAMESPACE, tenant } from '../edm/model';
import { BOUND_ACTIONS } from '../edm/model-bound-operations';
import { actionRequestDto, ActionBodyPipe } from '../entity-sets/entity-set-dtos';
import { EntityResponder } from '../entity-sets/entity-set.responder';
import { DirectoryRefresher } from './directory-refresher';

const SET = tenant.entitySetName;
const REFRESH = BOUND_ACTIONS.find(
  (action) => action.binding === tenant && action.name === 'refresh',
)!;
/** Seconds a client is asked to wait before it reads the directory again. */
const READ_AFTER_SECONDS = 5;

/**
 * The directory's bound action `refresh` (by name and by qualified name), asynchronous as
 * Graph's long-running actions are: 202 Accepted, the directory's URL to read.
 */
@ApiTags(SET)
@ApiExtraModels(ODataErrorResponse)
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@Controller([`beta/${SET}`, `beta/${LIVE_SERVICE_PATH}/${SET}`])
export class TenantDirectoryController {
  constructor(
    private readonly refresher: DirectoryRefresher,
    private readonly responder: EntityResponder,
  ) {}

  @Post(['refresh', `${MANAGED_TENANTS_NAMESPACE}.refresh`])
  @RequirePermission('write')
  @HttpCode(202)
  @ApiOperation({ summary: 'Refresh the tenants', description: REFRESH.description })
  @ApiBody({
    type: actionRequestDto(REFRESH),
    examples: {
      dap: {
        summary: 'With a delegated access token',
        value: { credentials: { dapAccessToken: 'eyJ0eXAiOiJKV1Qi…' } },
      },
      refreshToken: {
        summary: 'With a refresh token (kept for the refreshes that follow by themselves)',
        value: { credentials: { refreshToken: '0.AX0A…' } },
      },
    },
  })
  @ApiAcceptedResponse({
    description: 'Refreshing in the background: read the tenants again in a moment',
    headers: {
      Location: { description: "The directory's URL", schema: { type: 'string' } },
      'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
    },
  })
  async refresh(
    @CurrentCaller() caller: Caller,
    @Body(new ActionBodyPipe(REFRESH)) parameters: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.refresher.request(caller, parameters);
    reply
      .header('Location', `${this.responder.serviceRoot(request)}/${SET}`)
      .header('Retry-After', String(READ_AFTER_SECONDS));
  }
}
