import { Entity, entityTagOf } from '../edm/entity';
import { EntityType, hasNumericKey } from '../edm/model';
import {
  MetadataLevel,
  representedProperties,
  representerOf,
  ValueRepresenter,
} from '../edm/representation';
import { entityTypeAnnotation } from '../edm/type-annotations';
import { SelectedPath } from '../odata/query/checked-query';

/** How a response is shaped: where the service is, the metadata level, the $select. */
export interface RepresentationContext {
  readonly serviceRoot: string;
  readonly level?: MetadataLevel;
  readonly select?: readonly SelectedPath[];
  readonly selectText?: string;
  /**
   * Where the collection is, for the context URL of a contained type's entities
   * (`managedTenantOperations('…')/runs`): they have no entity set to name.
   */
  readonly collectionPath?: string;
  /** Expanded navigations of each entity, represented already (`$expand`). */
  readonly expanded?: (entity: Entity) => Record<string, unknown>;
  /** The navigations expanded, for the context URL. */
  readonly expand?: readonly ExpandedInContext[];
}

/** What a context URL says of an expanded navigation. */
export interface ExpandedInContext {
  readonly name: string;
  readonly selectText?: string;
}

/**
 * The JSON representation of the entities of one type (OData JSON Format 4.01 §4.5), shaped as
 * the seed's example response: `@odata.type`, every declared property in model order (secrets
 * never), then the dynamic properties. metadata=none drops the control information;
 * metadata=full adds `@odata.id`, `@odata.editLink` and the types JSON cannot tell.
 */
export class EntityRepresentation {
  private readonly typeAnnotation: string;
  /** How each metadata level writes the declared properties after the key, worked out once. */
  private readonly plans = new Map<MetadataLevel, readonly PropertyPlan[]>();

  /** A contained type's container: its entity set, the container's key, and the navigation. */
  private readonly container?: {
    readonly set: string;
    readonly key: string;
    readonly navigation: string;
  };
  private readonly numericKey: boolean;

  constructor(private readonly model: EntityType) {
    this.typeAnnotation = entityTypeAnnotation(model);
    this.numericKey = hasNumericKey(model);
    const toContainer = model.containedBy
      ? model.navigationProperties[model.containedBy]
      : undefined;
    if (toContainer?.foreignKey && toContainer.partner) {
      this.container = {
        set: toContainer.target().entitySetName,
        key: toContainer.foreignKey,
        navigation: toContainer.partner,
      };
    }
  }

  entity(entity: Entity, context: RepresentationContext): Record<string, unknown> {
    const level = context.level ?? 'minimal';
    const body: Record<string, unknown> = {};
    if (level !== 'none') body['@odata.type'] = this.typeAnnotation;
    if (level === 'full') {
      const containerId = this.containerIdOf(entity);
      body['@odata.id'] = this.url(context.serviceRoot, entity.id, containerId);
      body['@odata.editLink'] = this.url('', entity.id, containerId).slice(1);
    }
    if (level !== 'none') body['@odata.etag'] = entityTagOf(entity);
    body[this.model.key] = this.numericKey ? Number(entity.id) : entity.id;
    for (const { name, annotation, timestamp, represent } of this.planOf(level)) {
      if (annotation) body[annotation[0]] = annotation[1];
      body[name] = timestamp === undefined ? represent(entity.properties[name]) : entity[timestamp];
    }
    // Filled in place: a page builds one object per entity, not a copy of it.
    Object.assign(body, entity.dynamicProperties);
    const selected = selectProperties(body, context.select, this.model.key);
    return context.expanded ? Object.assign(selected, context.expanded(entity)) : selected;
  }

  /**
   * The top-level names of the entities' representation without metadata, as a table's columns:
   * the key first, then every property in the model's order, or the `$select`ed ones in theirs.
   */
  columns(select?: readonly SelectedPath[]): string[] {
    const key = this.model.key;
    if (!select) return [key, ...this.planOf('none').map(({ name }) => name)];
    return [...new Set([key, ...select.map(({ property }) => property)])];
  }

  private planOf(level: MetadataLevel): readonly PropertyPlan[] {
    let plan = this.plans.get(level);
    if (!plan) {
      plan = representedProperties(this.model.properties)
        .filter(({ name }) => name !== this.model.key)
        .map(({ name, definition, fullAnnotation }) => ({
          name,
          annotation:
            level === 'full' && fullAnnotation
              ? ([`${name}@odata.type`, fullAnnotation] as const)
              : undefined,
          // The timestamps are the entity's own; other computed values (a subscription's
          // creatorId) are set by the service in its properties.
          timestamp:
            definition.computed && (ENTITY_TIMESTAMPS as readonly string[]).includes(name)
              ? (name as EntityTimestamp)
              : undefined,
          represent: representerOf(definition, true, level),
        }));
      this.plans.set(level, plan);
    }
    return plan;
  }

  /**
   * The canonical URL of an entity (OData URL Conventions 4.01 §4.3.1); a contained one's is its
   * container's, the navigation and its key (§4.3.5), so `containerId` must be given for it.
   */
  url(serviceRoot: string, id: string, containerId?: string): string {
    const key = this.numericKey ? id : stringKey(id);
    return `${serviceRoot}/${this.collectionPathOf(containerId)}(${key})`;
  }

  private containerIdOf(entity: Entity): string | undefined {
    return this.container ? String(entity.properties[this.container.key]) : undefined;
  }

  /** The path of the entities' collection: the entity set, or the container's navigation. */
  private collectionPathOf(containerId: string | undefined): string {
    if (!this.container) return this.model.entitySetName;
    if (containerId === undefined)
      throw new Error(`${this.model.name} is contained: name its container.`);
    return `${this.container.set}(${stringKey(containerId)})/${this.container.navigation}`;
  }

  /** Context URLs (OData JSON Format 4.01 §10), with the select and expand lists (§10.9). */
  entityContextUrl(
    serviceRoot: string,
    selectText?: string,
    expand?: readonly ExpandedInContext[],
    collectionPath?: string,
  ): string {
    return `${this.collectionContextUrl(serviceRoot, selectText, expand, collectionPath)}/$entity`;
  }

  collectionContextUrl(
    serviceRoot: string,
    selectText?: string,
    expand?: readonly ExpandedInContext[],
    collectionPath = this.model.entitySetName,
  ): string {
    const items = [
      ...(selectText === undefined ? [] : selectText.split(',').map((item) => item.trim())),
      ...(expand === undefined ? [] : contextExpandItems(expand)),
    ];
    const list = items.length === 0 ? '' : `(${items.join(',')})`;
    return `${serviceRoot}/$metadata#${collectionPath}${list}`;
  }

  single(entity: Entity, context: RepresentationContext): Record<string, unknown> {
    const body = this.entity(entity, context);
    return context.level === 'none'
      ? body
      : {
          '@odata.context': this.entityContextUrl(
            context.serviceRoot,
            context.selectText,
            context.expand,
            this.container ? this.collectionPathOf(this.containerIdOf(entity)) : undefined,
          ),
          ...body,
        };
  }

  /** A page of the collection (OData JSON Format 4.01 §12): context, count, value, nextLink. */
  page(
    entities: readonly Entity[],
    context: RepresentationContext,
    count: number | undefined,
    nextLink: string | undefined,
  ): Record<string, unknown> {
    return {
      ...(context.level === 'none'
        ? {}
        : {
            '@odata.context': this.collectionContextUrl(
              context.serviceRoot,
              context.selectText,
              context.expand,
              context.collectionPath,
            ),
          }),
      ...(count === undefined ? {} : { '@odata.count': count }),
      value: entities.map((entity) => this.entity(entity, context)),
      ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
    };
  }
}

/** A string key as a URL's key predicate writes it: quoted, quotes doubled, percent-encoded. */
function stringKey(key: string): string {
  return `'${encodeURIComponent(key.replace(/'/g, "''"))}'`;
}

const ENTITY_TIMESTAMPS = ['createdDateTime', 'lastModifiedDateTime'] as const;
type EntityTimestamp = (typeof ENTITY_TIMESTAMPS)[number];

/** How a representation writes one declared property. */
interface PropertyPlan {
  readonly name: string;
  /** `<name>@odata.type` and its value, with metadata=full where JSON cannot tell the type. */
  readonly annotation?: readonly [string, string];
  /** Set for the entity's own timestamps, which the entity holds outside its properties. */
  readonly timestamp?: EntityTimestamp;
  readonly represent: ValueRepresenter;
}

/**
 * The expand items of a context URL (OData JSON Format 4.01 §10.9): each expanded navigation
 * followed by its select list in parentheses, empty when it has none.
 */
function contextExpandItems(expand: readonly ExpandedInContext[]): string[] {
  return expand.map(
    ({ name, selectText }) =>
      `${name}(${
        selectText === undefined
          ? ''
          : selectText
              .split(',')
              .map((item) => item.trim())
              .join(',')
      })`,
  );
}

/**
 * Keeps only the selected properties (URL Conventions 4.01 §5.1.3): the key and `@odata.type`
 * always, a complex value reduced to its selected sub-properties.
 */
export function selectProperties(
  representation: Record<string, unknown>,
  select: readonly SelectedPath[] | undefined,
  key: string,
): Record<string, unknown> {
  if (!select) return representation;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(representation)) {
    if (key.startsWith('@odata.')) result[key] = value;
  }
  result[key] = representation[key];
  for (const { property, subProperty } of select) {
    if (!(property in representation)) continue;
    const value = representation[property];
    const typeAnnotation = `${property}@odata.type`;
    if (typeAnnotation in representation) result[typeAnnotation] = representation[typeAnnotation];
    if (subProperty === undefined || value === null || typeof value !== 'object') {
      result[property] = value;
      continue;
    }
    const complex = value as Record<string, unknown>;
    const selected = (result[property] ??=
      '@odata.type' in complex ? { '@odata.type': complex['@odata.type'] } : {}) as Record<
      string,
      unknown
    >;
    const subTypeAnnotation = `${subProperty}@odata.type`;
    if (subTypeAnnotation in complex) selected[subTypeAnnotation] = complex[subTypeAnnotation];
    selected[subProperty] = complex[subProperty];
  }
  return result;
}
