import { Entity } from '../edm/entity';
import { EntityType } from '../edm/model';
import { EntitySetService } from './entity-set.service';

/** The service of every entity set, by entity type: how a navigation reaches its target's set. */
export class EntitySetRegistry {
  private readonly services: ReadonlyMap<string, EntitySetService>;

  constructor(services: readonly EntitySetService[]) {
    this.services = new Map(services.map((service) => [service.entity.name, service]));
  }

  /**
   * The service of `entity`, typed by its properties (the services are built from the model, one
   * per entity type, so the type named is the one served).
   */
  serviceOf<Properties extends object = Entity['properties']>(
    entity: EntityType,
  ): EntitySetService<Properties> {
    const service = this.services.get(entity.name);
    if (!service) throw new Error(`No entity set serves ${entity.name}.`);
    return service as unknown as EntitySetService<Properties>;
  }
}
