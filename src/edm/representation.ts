import { complexTypeAnnotation } from './type-annotations';
import {
  ComplexPropertyDefinition,
  isComplexProperty,
  isEnumProperty,
  PropertyDefinition,
  qualifiedName,
} from './model';

/** The control-information levels of OData JSON Format 4.01 §3.1. */
export type MetadataLevel = 'none' | 'minimal' | 'full';

/**
 * The response form of a declared property value (OData JSON Format 4.01 §7): a complex value
 * carries every declared property of its type (null, or [] for a collection, when unset) and never
 * a secret one. Top-level complex values carry `@odata.type` as the seed's example response does
 * (unless metadata=none); with metadata=full every complex value does, and so do primitive
 * properties whose type JSON cannot tell (§4.6.3).
 */
export function representPropertyValue(
  property: PropertyDefinition,
  value: unknown,
  annotateType: boolean,
  level: MetadataLevel = 'minimal',
): unknown {
  return representerOf(property, annotateType, level)(value);
}

/** Turns a stored value of one property into its response form. */
export type ValueRepresenter = (value: unknown) => unknown;

// Every response walks these; worked out once per property, annotation and level rather than
// deciding per value what kind of property it is.
const representers = new WeakMap<PropertyDefinition, Map<string, ValueRepresenter>>();

/** The representer of a property's values (see representPropertyValue). */
export function representerOf(
  property: PropertyDefinition,
  annotateType: boolean,
  level: MetadataLevel,
): ValueRepresenter {
  let byForm = representers.get(property);
  if (!byForm) {
    byForm = new Map();
    representers.set(property, byForm);
  }
  const form = `${annotateType}/${level}`;
  let representer = byForm.get(form);
  if (!representer) {
    representer = newRepresenter(property, annotateType, level);
    byForm.set(form, representer);
  }
  return representer;
}

function newRepresenter(
  property: PropertyDefinition,
  annotateType: boolean,
  level: MetadataLevel,
): ValueRepresenter {
  if (property.collection) {
    if (!isComplexProperty(property)) return (value) => (Array.isArray(value) ? value : []);
    const item = complexRepresenter(property.type, level === 'full', level);
    return (value) => (Array.isArray(value) ? value.map(item) : []);
  }
  if (!isComplexProperty(property)) return (value) => value ?? null;
  const complex = complexRepresenter(
    property.type,
    (annotateType && level !== 'none') || level === 'full',
    level,
  );
  return (value) => (value === undefined || value === null ? null : complex(value));
}

/** A member of a complex type as its representer writes it. */
interface RepresentedMember {
  readonly name: string;
  /** `<name>@odata.type` and its value, with metadata=full where JSON cannot tell the type. */
  readonly annotation?: readonly [string, string];
  readonly represent: ValueRepresenter;
}

function complexRepresenter(
  type: ComplexPropertyDefinition['type'],
  annotateType: boolean,
  level: MetadataLevel,
): (value: unknown) => Record<string, unknown> {
  const typeAnnotation = annotateType ? complexTypeAnnotation(type) : undefined;
  // Worked out on first use, so that a type may contain itself.
  let members: readonly RepresentedMember[] | undefined;
  return (value) => {
    members ??= representedProperties(type.properties).map(
      ({ name, definition, fullAnnotation }) => ({
        name,
        annotation:
          level === 'full' && fullAnnotation ? [`${name}@odata.type`, fullAnnotation] : undefined,
        represent: representerOf(definition, false, level),
      }),
    );
    const stored = (value ?? {}) as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    if (typeAnnotation !== undefined) result['@odata.type'] = typeAnnotation;
    for (const { name, annotation, represent } of members) {
      if (annotation) result[annotation[0]] = annotation[1];
      result[name] = represent(stored[name]);
    }
    return result;
  };
}

/**
 * The `@odata.type` a property needs with metadata=full, or undefined: String, Boolean and Double
 * are what JSON says they are; other primitives, enums and collections need naming.
 */
export function fullTypeAnnotation(property: PropertyDefinition): string | undefined {
  const name =
    isComplexProperty(property) || isEnumProperty(property)
      ? qualifiedName(property.type)
      : property.type.replace(/^Edm\./, '');
  if (property.collection) return `#Collection(${name})`;
  if (isComplexProperty(property) || ['String', 'Boolean', 'Double'].includes(name))
    return undefined;
  return `#${name}`;
}

/** A declared property as responses carry it: its name, definition and type annotation. */
export interface RepresentedProperty {
  readonly name: string;
  readonly definition: PropertyDefinition;
  /** What metadata=full adds as `<name>@odata.type`, if anything. */
  readonly fullAnnotation: string | undefined;
}

/** The properties a response carries, in declaration order: every one but the secret ones. */
export function representedProperties(
  properties: Readonly<Record<string, PropertyDefinition>>,
): RepresentedProperty[] {
  return Object.entries(properties)
    .filter(([, definition]) => !definition.secret)
    .map(([name, definition]) => ({
      name,
      definition,
      fullAnnotation: fullTypeAnnotation(definition),
    }));
}
