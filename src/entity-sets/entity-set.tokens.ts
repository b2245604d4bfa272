import { EntityType } from '../edm/model';

/** The injection tokens of an entity set's service, store and request reader: one of each per set. */
export function entitySetServiceToken(entity: EntityType): string {
  return `EntitySetService:${entity.entitySetName}`;
}

export function entityStoreToken(entity: EntityType): string {
  return `EntityStore:${entity.entitySetName}`;
}

export function collectionReaderToken(entity: EntityType): string {
  return `CollectionRequestReader:${entity.entitySetName}`;
}

export function deltaReaderToken(entity: EntityType): string {
  return `DeltaRequestReader:${entity.entitySetName}`;
}
