/**
 * The vocabulary the model is written in: primitive, enum, complex and entity types, property
 * facets, navigations, and the TypeScript types derived from a property table (`ValueOf`,
 * `StoredPropertiesOf`), so that `Entity<Properties>` is typed from the model itself.
 */

export type PrimitiveTypeName =
  | 'Edm.String'
  | 'Edm.Guid'
  | 'Edm.Boolean'
  | 'Edm.Int32'
  | 'Edm.DateTimeOffset'
  | 'Edm.Date'
  | 'Edm.TimeOfDay'
  | 'Edm.Duration';

export interface EnumType<Member extends string = string> {
  readonly kind: 'enum';
  readonly namespace: string;
  readonly name: string;
  readonly members: readonly Member[];
}

/** Declared properties by name. */
export type PropertyTable = Readonly<Record<string, PropertyDefinition>>;

/** `Properties`: the literal table, so that TypeScript types can derive from it (`ValueOf`). */
export interface ComplexType<Properties extends PropertyTable = PropertyTable> {
  readonly kind: 'complex';
  readonly namespace: string;
  readonly name: string;
  readonly properties: Properties;
  /** Instances carry properties besides the declared ones (OData's open types). */
  readonly openType?: boolean;
}

interface PropertyFacets {
  /** A collection of the type rather than a single value. */
  readonly collection?: boolean;
  /** Maximum length in characters, for strings. */
  readonly maxLength?: number;
  /** An Edm.String whose values must nevertheless be GUIDs (the entity key). */
  readonly guidFormat?: boolean;
  /** Set by the service; ignored when a client sends it (Core.Computed). */
  readonly computed?: boolean;
  /** Accepted on writes, never returned, never queryable (Core.Permissions Write). */
  readonly secret?: boolean;
  /**
   * Written by the service only (Core.Permissions Read): returned and queryable, but a client
   * that sends it is told it cannot change it. Unlike a computed value it is stored as the
   * service sets it (a tenant's name, as its contract gives it).
   */
  readonly readOnly?: boolean;
  /** Must be present (and not null) on create, unless `createDefault` fills it in. */
  readonly required?: boolean;
  /** What create (and a replace) fills in when the property is left out. */
  readonly createDefault?: CreateDefault;
  /** Matched by `$search` terms. */
  readonly searchable?: boolean;
  readonly description?: string;
}

/**
 * A property's value when a create leaves it out: the caller's tenant or user id (from the
 * token), a new GUID (a replace keeps the current one), or a fixed value.
 */
export type CreateDefault = 'callerTenant' | 'callerUser' | 'newGuid' | { readonly value: unknown };

export type ComplexPropertyDefinition = PropertyFacets & { readonly type: ComplexType };
export type EnumPropertyDefinition = PropertyFacets & { readonly type: EnumType };

export type PropertyDefinition =
  | (PropertyFacets & { readonly type: PrimitiveTypeName })
  | EnumPropertyDefinition
  | ComplexPropertyDefinition;

/**
 * A navigation property (OData CSDL 4.01 §8). On the dependent side, `foreignKey` names the
 * property that holds the principal's key (the referential constraint); `onDelete: 'cascade'`
 * deletes the dependents with their principal. The target is a function because the two ends
 * refer to each other.
 */
export interface NavigationProperty {
  readonly target: () => EntityType;
  readonly collection: boolean;
  /** The navigation property of the target that leads back here, if it has one. */
  readonly partner?: string;
  /** On the dependent side: the property holding the principal's key. */
  readonly foreignKey?: string;
  /**
   * A reference the database does not enforce: the entity it names may not exist (a result's
   * tenant that the partner's directory does not have); the navigation is then null.
   */
  readonly loose?: boolean;
  readonly onDelete?: 'cascade';
  /** Whether `$expand` (and the navigation's own URLs) serve it; the reverse links do not. */
  readonly expandable: boolean;
  /**
   * The target's entities live in this navigation only (CSDL `ContainsTarget`): no entity set of
   * their own, addressed as `{principal URL}/{navigation}/{key}`.
   */
  readonly containsTarget?: boolean;
  /**
   * A navigation of a contained type to rows that name it by several properties (a run's
   * results name its operation and its run number): each target property and the property of
   * this entity it equals.
   */
  readonly matches?: Readonly<Record<string, string>>;
}

declare const STORED_PROPERTIES: unique symbol;

/**
 * An entity type of the model. `Properties` is the type of an entity's stored properties, derived
 * from the same declaration (StoredPropertiesOf): it types the type's store and service, and the
 * tokens they are injected by.
 */
export interface EntityType<Properties extends object = Readonly<Record<string, unknown>>> {
  /** Never set: carries `Properties` for the compiler. */
  readonly [STORED_PROPERTIES]?: Properties;
  readonly kind: 'entity';
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  readonly openType: boolean;
  readonly entitySetName: string;
  readonly properties: Readonly<Record<string, PropertyDefinition>>;
  readonly navigationProperties: Readonly<Record<string, NavigationProperty>>;
  /**
   * Whether the set takes query options and delta (default): `false` for a set that is only
   * created, read, changed and deleted (subscriptions), as `$metadata` says.
   */
  readonly queryable?: boolean;
  /**
   * For a contained entity type (its entities live in a navigation of another type, CSDL
   * `ContainsTarget`): the navigation property that leads to the container, whose foreign key
   * holds the container's key. The entity's own key is unique within its container only, so
   * every read names both. `entitySetName` is then an internal name (its table's rows in the
   * change feed), never a URL.
   */
  readonly containedBy?: string;
  /** Read by clients, written by the service only (no create, update or delete routes). */
  readonly readOnly?: boolean;
  /**
   * Clients change the entities the service creates (PATCH, on the properties that are not
   * `readOnly`), but neither create, replace nor delete them (a tenant of the directory).
   */
  readonly updateOnly?: boolean;
  /**
   * Whose key it is: `'global'` (default) when every entity has an id of its own; `'partner'`
   * when the key is only unique within a partner tenant (a customer's tenant id, which several
   * partners may manage): the table's primary key is then (partnerTenantId, key).
   */
  readonly keyScope?: 'global' | 'partner';
}

/** Whether an entity type's key is a number (a run's `runNumber`) rather than a string id. */
export function hasNumericKey(entity: EntityType): boolean {
  return entity.properties[entity.key]?.type === 'Edm.Int32';
}

/**
 * An entity's key as its representation and its row hold it: `Entity.id` is text whatever the
 * key's type, a numeric key is written and stored as the number.
 */
export function keyValueOf(entity: EntityType, id: string): string | number {
  return hasNumericKey(entity) ? Number(id) : id;
}

/** The property that holds a contained entity's container key (see `EntityType.containedBy`). */
export function containerKeyOf(entity: EntityType): string | undefined {
  return entity.containedBy
    ? entity.navigationProperties[entity.containedBy]?.foreignKey
    : undefined;
}

export function qualifiedName(type: EnumType | ComplexType | EntityType): string {
  return `${type.namespace}.${type.name}`;
}

export function isComplexProperty(
  property: PropertyDefinition,
): property is ComplexPropertyDefinition {
  return typeof property.type === 'object' && property.type.kind === 'complex';
}

export function isEnumProperty(property: PropertyDefinition): property is EnumPropertyDefinition {
  return typeof property.type === 'object' && property.type.kind === 'enum';
}

/**
 * A property table without a prototype, so that looking up a name taken from a request
 * (`__proto__`, `valueOf`, `constructor`) finds nothing rather than Object's members.
 */
export function declare<const T extends Record<string, PropertyDefinition | NavigationProperty>>(
  properties: T,
): Readonly<T> {
  return Object.freeze(Object.assign(Object.create(null) as object, properties)) as Readonly<T>;
}

/** Whether a property is, or holds, a secret: such a property can never be queried or selected. */
export function holdsSecret(property: PropertyDefinition): boolean {
  if (property.secret) return true;
  return isComplexProperty(property) && Object.values(property.type.properties).some(holdsSecret);
}

/** Every complex type reachable from the entity types, each once, in declaration order. */
export function reachableComplexTypes(entities: EntityType | readonly EntityType[]): ComplexType[] {
  const found = new Map<string, ComplexType>();
  const visit = (properties: Readonly<Record<string, PropertyDefinition>>): void => {
    for (const property of Object.values(properties)) {
      if (isComplexProperty(property) && !found.has(qualifiedName(property.type))) {
        found.set(qualifiedName(property.type), property.type);
        visit(property.type.properties);
      }
    }
  };
  const list: readonly EntityType[] = 'kind' in entities ? [entities] : entities;
  for (const entity of list) visit(entity.properties);
  return [...found.values()];
}

export type ItemOf<Definition> = Definition extends { readonly type: ComplexType<infer Properties> }
  ? ComplexValueOf<Properties>
  : Definition extends { readonly type: EnumType<infer Member> }
    ? Member
    : Definition extends { readonly type: 'Edm.Boolean' }
      ? boolean
      : Definition extends { readonly type: 'Edm.Int32' }
        ? number
        : string;

/**
 * The value of a property as the service holds it: a collection is an array (never null), a
 * required property is never null, anything else may be null or absent.
 */
export type ValueOf<Definition> = Definition extends { readonly collection: true }
  ? ItemOf<Definition>[]
  : Definition extends { readonly required: true }
    ? ItemOf<Definition>
    : ItemOf<Definition> | null;

/** A complex value: each property may be left out. */
export type ComplexValueOf<Properties> = {
  readonly [Name in keyof Properties]?: ValueOf<Properties[Name]>;
};

/**
 * The stored properties of an entity type, as `Entity.properties` holds them: the declared ones
 * but the key and the computed ones, each typed from its definition.
 */
export type StoredPropertiesOf<Properties> = {
  readonly [
    Name in keyof Properties as Name extends 'id'
      ? never
      : Properties[Name] extends { readonly computed: true }
        ? never
        : Name
  ]?: ValueOf<Properties[Name]>;
};
