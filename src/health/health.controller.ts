import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckError,
  HealthCheckResult,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { ServiceUnavailableError } from '../common/errors';
import { MigrationsHealthIndicator } from './migrations.health';

/**
 * Liveness and readiness for load balancers and orchestrators (@nestjs/terminus). Public, cheap,
 * not throttled (throttling counts authenticated callers only).
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ description: '{"status":"ok"}' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'The database is reachable and every migration is applied' })
  @ApiOkResponse({ description: 'Ready' })
  @ApiResponse({ status: 503, description: 'Not ready; the message names the failing check' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 1_000 }),
        () => this.migrations.areApplied('migrations'),
      ]);
    } catch (error) {
      const failing = describeFailures(error);
      throw new ServiceUnavailableError(`Not ready: ${failing}.`);
    }
  }
}

function describeFailures(error: unknown): string {
  const response = (error as { getResponse?: () => unknown }).getResponse?.() as
    { error?: Record<string, { message?: string }> } | undefined;
  if (response?.error) {
    return Object.entries(response.error)
      .map(([check, detail]) => `${check}${detail.message ? ` (${detail.message})` : ''}`)
      .join(', ');
  }
  return error instanceof HealthCheckError ? error.message : 'a health check failed';
}
