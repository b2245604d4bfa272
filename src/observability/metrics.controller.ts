import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/auth.decorators';
import { AuthenticationError } from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { ServiceMetrics } from './service-metrics';

/**
 * Prometheus's scrape endpoint (the text exposition format). Outside the API's authentication:
 * when METRICS_TOKEN is set it asks for that token as a bearer token, else it is open (serve it
 * on METRICS_PORT to keep it off the API's port).
 */
@ApiTags('monitoring')
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly tokenDigest?: Buffer;

  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(AppConfigService) config: AppConfigService,
  ) {
    const token = config.values.metrics.token;
    this.tokenDigest = token === undefined ? undefined : digest(token);
  }

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({ description: 'The metrics', content: { 'text/plain': {} } })
  @ApiResponse({ status: 401, description: 'METRICS_TOKEN is set and was not sent' })
  async scrape(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    this.authorize(request.headers.authorization);
    const { contentType, text } = await this.metrics.exposition();
    void reply.header('content-type', contentType);
    return text;
  }

  private authorize(header: string | undefined): void {
    if (!this.tokenDigest) return;
    const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
    // Digests of equal length, compared in constant time: the token's length is not told either.
    if (given === undefined || !timingSafeEqual(digest(given), this.tokenDigest)) {
      throw new AuthenticationError(
        'The metrics need the bearer token configured as METRICS_TOKEN.',
        given === undefined ? 'no bearer token' : 'wrong metrics token',
        given !== undefined,
      );
    }
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
