import { Module } from '@nestjs/common';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { ChangeFeedJanitor } from './change-feed-janitor';

/**
 * What follows the change feed: its purge now; change notifications build on it.
 * Delta queries are served by every entity set (src/entity-sets).
 */
@Module({
  imports: [EntityStoresModule],
  providers: [ChangeFeedJanitor],
})
export class ChangesModule {}
