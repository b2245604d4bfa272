import { provideBy } from '../common/typed-token';
import { Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EntitySetRulesCatalog } from './entity-set-rules';
import { CONTAINED_ENTITY_TYPES } from '../edm/model';
import { RequestFingerprinter } from '../crypto/request-fingerprint';
import { DYNAMIC_PROPERTIES_COLUMN } from '../database/entity-schema';
import { EntityStore } from '../database/stores/entity.store';
import { EntityStoresModule } from '../database/stores/entity-stores.module';
import { CollectionRequestReader } from '../odata/query/collection-request';
import { QueryChecker } from '../odata/query/query-checker';
import { SkipTokenCodec } from '../odata/query/skip-token';
import { AppConfigService } from '../config/app-config.service';
import { ChangeFeedStore } from '../database/stores/change-feed.store';
import { DeltaTokenCodec } from '../odata/delta-token';
import { DeltaRequestReader } from '../odata/query/delta-request';
import { ENTITY_SET_DEFINITIONS } from './entity-set-definitions';
import { entitySetController } from './entity-set.controller';
import { EntityExpander } from './entity-expander';
import { EntityReads } from './entity-reads.service';
import { CollectionAnswers } from './collection-answers';
import { CollectionExport } from './collection-export';
import { EntitySetRegistry } from './entity-set.registry';
import { EntityResponder } from './entity-set.responder';
import { EntitySetService } from './entity-set.service';
import {
  collectionReaderToken,
  deltaReaderToken,
  entitySetServiceToken,
  entityStoreToken,
} from './entity-set.tokens';
import { navigationController } from './navigation.controller';
import { containedNavigationController } from './contained-navigation.controller';
import { AuditTrail } from '../audit/audit-trail';
import { AuditModule } from '../audit/audit.module';

const entityTypes = ENTITY_SET_DEFINITIONS.map((definition) => definition.entity);
/** The sets' types and the types contained in them: each has a service and request readers. */
const servedTypes = [...entityTypes, ...CONTAINED_ENTITY_TYPES];

const perSetProviders: Provider[] = servedTypes.flatMap((entity): Provider[] => [
  provideBy(
    collectionReaderToken(entity),
    [SkipTokenCodec],
    (skipTokens: SkipTokenCodec) =>
      new CollectionRequestReader(
        new QueryChecker({ entity, dynamicColumn: DYNAMIC_PROPERTIES_COLUMN }),
        skipTokens,
      ),
  ),
  provideBy(
    deltaReaderToken(entity),
    [DeltaTokenCodec, AppConfigService],
    (tokens: DeltaTokenCodec, config: AppConfigService) =>
      new DeltaRequestReader(
        new QueryChecker({ entity, dynamicColumn: DYNAMIC_PROPERTIES_COLUMN }),
        tokens,
        config.values.changes.retentionMs,
      ),
  ),
  provideBy(
    entitySetServiceToken(entity),
    [
      entityStoreToken(entity),
      RequestFingerprinter,
      ChangeFeedStore,
      EntitySetRulesCatalog,
      AuditTrail,
    ],
    (
      store: EntityStore,
      fingerprints: RequestFingerprinter,
      changes: ChangeFeedStore,
      rules: EntitySetRulesCatalog,
      audit: AuditTrail,
    ) => new EntitySetService(store, fingerprints, changes, rules, audit),
  ),
]);

/** Every collection navigation that `$expand` and its own URLs serve. */
const navigations = entityTypes.flatMap((entity) =>
  Object.entries(entity.navigationProperties)
    .filter(([, navigation]) => navigation.expandable && navigation.collection)
    .map(([name]) => navigationController(entity, name)),
);

/** Every navigation of a contained type to the rows that name it (a run's results). */
const containedNavigations = entityTypes.flatMap((principal) =>
  Object.entries(principal.navigationProperties)
    .filter(([, navigation]) => navigation.containsTarget)
    .flatMap(([containment, navigation]) =>
      Object.entries(navigation.target().navigationProperties)
        .filter(([, inner]) => inner.matches)
        .map(([name]) => containedNavigationController(principal, containment, name)),
    ),
);

/**
 * Every entity set of the model, on one design: a controller, a service, a request reader and a
 * store per set, all built from the set's entity type (src/edm/model.ts), and a controller per
 * collection navigation. Adding an entity set is a model entry, a table and its migration.
 */
@Module({
  imports: [EntityStoresModule, DiscoveryModule, AuditModule],
  controllers: [
    ...ENTITY_SET_DEFINITIONS.map(entitySetController),
    ...navigations,
    ...containedNavigations,
  ],
  providers: [
    ...perSetProviders,
    {
      provide: EntitySetRegistry,
      inject: servedTypes.map(entitySetServiceToken),
      useFactory: (...services: EntitySetService[]) => new EntitySetRegistry(services),
    },
    EntityResponder,
    EntityExpander,
    EntityReads,
    CollectionAnswers,
    CollectionExport,
    EntitySetRulesCatalog,
  ],
  exports: [
    EntitySetRegistry,
    EntityResponder,
    EntityReads,
    CollectionAnswers,
    CollectionExport,
    ...servedTypes.map(collectionReaderToken),
  ],
})
export class EntitySetsModule {}
