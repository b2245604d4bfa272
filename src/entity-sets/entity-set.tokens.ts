import { TypedToken } from '../common/typed-token';
import type { EntityStore } from '../database/stores/entity.store';
import { EntityType } from '../edm/model';
import type { CollectionRequestReader } from '../odata/query/collection-request';
import type { DeltaRequestReader } from '../odata/query/delta-request';
import type { EntitySetService } from './entity-set.service';

const tokens = new Map<string, symbol>();

/** One token per kind and set, the same on every call. */
function tokenOf<T>(kind: string, entity: Pick<EntityType, 'entitySetName'>): TypedToken<T> {
  const name = `${kind}:${entity.entitySetName}`;
  let token = tokens.get(name);
  if (token === undefined) {
    token = Symbol(name);
    tokens.set(name, token);
  }
  return token as TypedToken<T>;
}

/**
 * The injection tokens of an entity set's service, store and request readers: one of each per
 * set, typed by the set's entity (its stored properties).
 */
export function entitySetServiceToken<P extends Readonly<Record<string, unknown>>>(
  entity: EntityType<P>,
): TypedToken<EntitySetService<P>> {
  return tokenOf('EntitySetService', entity);
}

export function entityStoreToken<P extends Readonly<Record<string, unknown>>>(
  entity: EntityType<P>,
): TypedToken<EntityStore<P>> {
  return tokenOf('EntityStore', entity);
}

export function collectionReaderToken(entity: EntityType): TypedToken<CollectionRequestReader> {
  return tokenOf('CollectionRequestReader', entity);
}

export function deltaReaderToken(entity: EntityType): TypedToken<DeltaRequestReader> {
  return tokenOf('DeltaRequestReader', entity);
}
