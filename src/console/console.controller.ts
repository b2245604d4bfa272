import { Controller, Get, Header, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { ResourceNotFoundError, ServiceUnavailableError } from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { ConsoleFiles } from './console-files';
import { consolePage, consolePolicy } from './console-page';
import { isLocalRequest } from './local-request';

/** A year: an asset's name changes with its content, so a cached copy is never stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The partner console: one page and its assets, served without a token (the page holds nothing
 * of anyone's; everything it shows comes from the API with the person's own bearer token).
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  private readonly policy: string;

  constructor(
    private readonly files: ConsoleFiles,
    @Inject(AppConfigService) private readonly config: AppConfigService,
  ) {
    this.policy = consolePolicy(config.values.console);
  }

  @Get()
  // The page names the assets of this build: revalidated on every visit.
  @Header('cache-control', 'no-cache')
  page(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string {
    if (!this.files.page) {
      throw new ServiceUnavailableError(
        'The console is not built: run `npm run build:console` (npm install and npm start do).',
      );
    }
    const { auth, console: settings } = this.config.values;
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', this.policy);
    return consolePage(this.files.page, {
      apiBase: '/beta',
      developmentSignIn: auth.mode === 'development' && isLocalRequest(request),
      ...(settings.entra && { entra: settings.entra }),
    });
  }

  @Get('assets/:name')
  asset(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Buffer | string {
    const asset = this.files.asset(name);
    if (!asset) throw new ResourceNotFoundError('GET', `/console/assets/${name}`);
    void reply.header('cache-control', IMMUTABLE).header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) {
      void reply.status(304);
      return '';
    }
    void reply.header('content-type', asset.contentType);
    return asset.body;
  }
}
