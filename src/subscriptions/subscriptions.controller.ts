import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, RequirePermission } from '../auth/auth.decorators';
import { Caller } from '../auth/caller';
import { ODataErrorResponse } from '../common/odata-error.dto';
import { EntityWrite } from '../edm/entity-write';
import { subscription } from '../edm/model';
import { entitySetDtos, entityWritePipes } from '../entity-sets/entity-set-dtos';
import { EntityResponder } from '../entity-sets/entity-set.responder';
import { negotiateJson } from '../odata/format';
import { parseQueryOptions } from '../odata/query/query-options';
import { rawQuery } from '../common/service-root';
import {
  MAX_SUBSCRIPTION_MINUTES,
  SUBSCRIPTIONS_PER_PAGE,
  SubscriptionsService,
} from './subscriptions.service';

const dtos = entitySetDtos(subscription);
/** Subscriptions take no query option but `$format` (as `$metadata` says); others are a 400. */
const FORMAT_ONLY = new Set(['format'] as const);
/** The list also takes the `$skiptoken` of its own nextLinks. */
const LIST_OPTIONS = new Set(['format', 'skiptoken'] as const);

function formatOf(request: FastifyRequest): string | undefined {
  return parseQueryOptions(rawQuery(request), FORMAT_ONLY).system.get('format');
}
const pipes = entityWritePipes(subscription);

/**
 * `/beta/subscriptions`, Microsoft Graph's webhook subscriptions: create (with the
 * validation request), list, get, renew or re-point by PATCH, delete.
 */
@ApiTags('subscriptions')
@ApiResponse({ status: 400, description: 'Invalid request', type: ODataErrorResponse })
@ApiResponse({ status: 404, description: 'No such subscription', type: ODataErrorResponse })
@Controller('beta/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly responder: EntityResponder,
  ) {}

  @Post()
  @RequirePermission('write')
  @ApiOperation({
    summary: 'Subscribe to changes (webhook)',
    description:
      'changeType: created, updated, deleted (comma-separated). resource: managedTenantOperations, ' +
      'managedTenantOperations/{id}, managedTenantOperations/{id}/results (or /httpRequests), ' +
      'managedTenantOperationResults, managedTenantOperationHttpRequests, optionally with ?$filter=… . ' +
      `expirationDateTime at most ${MAX_SUBSCRIPTION_MINUTES} minutes ahead. The notificationUrl ` +
      '(and lifecycleNotificationUrl) must answer a POST with ?validationToken=… within 10 seconds: ' +
      '200, text/plain, the token. clientState is sent with every notification and never returned.',
  })
  @ApiBody({
    type: dtos.create,
    examples: {
      operations: {
        summary: 'Operations that succeed',
        value: {
          changeType: 'created,updated',
          notificationUrl: 'https://webhook.example.com/notifications',
          lifecycleNotificationUrl: 'https://webhook.example.com/lifecycle',
          resource: "managedTenantOperations?$filter=status eq 'succeeded'",
          expirationDateTime: new Date(Date.now() + 3_600_000 * 24).toISOString(),
          clientState: 'a secret the receiver checks',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: dtos.entity })
  async create(
    @CurrentCaller() caller: Caller,
    @Body(pipes.create) write: EntityWrite,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const level = negotiateJson(request.headers.accept, undefined);
    const created = await this.subscriptions.create(caller, write);
    const root = this.responder.serviceRoot(request);
    const representation = this.responder.representationOf(subscription);
    reply.status(201).header('Location', representation.url(root, created.id));
    return this.responder.json(
      reply,
      level,
      representation.single(created, { serviceRoot: root, level }),
    );
  }

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: "List the subscriptions of the caller's tenant" })
  @ApiOkResponse({ type: dtos.collection })
  @ApiQuery({
    name: '$skiptoken',
    required: false,
    description: `From @odata.nextLink: the page after the one that gave it (${SUBSCRIPTIONS_PER_PAGE} subscriptions a page)`,
  })
  async list(
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const options = parseQueryOptions(rawQuery(request), LIST_OPTIONS).system;
    const level = negotiateJson(request.headers.accept, options.get('format'));
    const context = { serviceRoot: this.responder.serviceRoot(request), level };
    const { entities, next } = await this.subscriptions.list(caller, options.get('skiptoken'));
    // As the entity sets' nextLinks: relative to the service root, absolute on PUBLIC_BASE_URL.
    const nextLink =
      next === undefined ? undefined : this.responder.nextLink('subscriptions', [], next);
    return this.responder.json(
      reply,
      level,
      this.responder.representationOf(subscription).page(entities, context, undefined, nextLink),
    );
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Get a subscription' })
  @ApiOkResponse({ type: dtos.entity })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const level = negotiateJson(request.headers.accept, formatOf(request));
    const found = await this.subscriptions.get(caller, id);
    const context = { serviceRoot: this.responder.serviceRoot(request), level };
    return this.responder.json(
      reply,
      level,
      this.responder.representationOf(subscription).single(found, context),
    );
  }

  @Patch(':id')
  @RequirePermission('write')
  @ApiOperation({
    summary: 'Renew (expirationDateTime) or re-point (notificationUrl, lifecycleNotificationUrl)',
  })
  @ApiBody({ type: dtos.update })
  @ApiOkResponse({ type: dtos.entity })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body(pipes.update) write: EntityWrite,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const level = negotiateJson(request.headers.accept, undefined);
    const updated = await this.subscriptions.update(caller, id, write);
    const context = { serviceRoot: this.responder.serviceRoot(request), level };
    return this.responder.json(
      reply,
      level,
      this.responder.representationOf(subscription).single(updated, context),
    );
  }

  @Delete(':id')
  @RequirePermission('write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription (no lifecycle notification follows)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.subscriptions.remove(caller, id);
  }
}
