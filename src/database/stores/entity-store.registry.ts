import { EntityType } from '../../edm/model';
import { EntityStore } from './entity.store';

/**
 * The store of every entity type of the model, for work that spans the entity sets (change
 * notifications match changes of any set): a set added to the model is in it with no change here.
 */
export class EntityStoreRegistry {
  private readonly stores: ReadonlyMap<string, EntityStore>;

  constructor(stores: readonly EntityStore[]) {
    this.stores = new Map(stores.map((store) => [store.entity.entitySetName, store]));
  }

  /** The store of the entity set named so, if the model has one. */
  bySetName(entitySetName: string): EntityStore | undefined {
    return this.stores.get(entitySetName);
  }

  typeOf(entitySetName: string): EntityType | undefined {
    return this.stores.get(entitySetName)?.entity;
  }
}
