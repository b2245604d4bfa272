import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

/** A readiness check (@nestjs/terminus): every migration is applied to the database. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async areApplied(key: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    try {
      return (await this.dataSource.showMigrations())
        ? session.down({ message: 'migrations are pending' })
        : session.up();
    } catch {
      return session.down({ message: 'cannot read the migrations' });
    }
  }
}
