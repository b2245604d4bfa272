import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { loadDevelopmentKey, mintDevelopmentToken } from '../auth/development-issuer';
import { InvalidRequestError, ResourceNotFoundError } from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { developmentId } from './development-sign-in';
import { isLocalRequest } from './local-request';

const LIFETIME_SECONDS = 3600;
const SCOPES = ['ManagedTenants.ReadWrite.All'];

/**
 * "Sign in (development)": a development token for the tenant and user a person types, as
 * `npm run token` makes. Registered only while the development issuer is active, and answered
 * only to a caller on this machine: to anyone else the route is not there.
 */
@ApiExcludeController()
@Public()
@Controller('console/development-token')
export class DevelopmentSignInController {
  constructor(@Inject(AppConfigService) private readonly config: AppConfigService) {}

  @Post()
  @HttpCode(200)
  async token(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
  ): Promise<{ accessToken: string; expiresIn: number; tenantId: string; userId: string }> {
    if (!isLocalRequest(request)) throw new ResourceNotFoundError('POST', request.url);
    const tenant = typedText(body, 'tenant');
    const user = typedText(body, 'user');
    const { auth } = this.config.values;
    const tenantId = developmentId(tenant);
    const userId = developmentId(user);
    const key = await loadDevelopmentKey(this.config.values);
    const accessToken = await mintDevelopmentToken(key, auth.issuer, auth.audience, {
      tenantId,
      userId,
      scopes: SCOPES,
      expiresIn: LIFETIME_SECONDS,
    });
    return { accessToken, expiresIn: LIFETIME_SECONDS, tenantId, userId };
  }
}

function typedText(body: unknown, name: 'tenant' | 'user'): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) {
    throw new InvalidRequestError(
      `'${name}' must be a tenant id or a name of 1 to 200 characters (a name stands for the same made-up id each time).`,
    );
  }
  return value;
}
