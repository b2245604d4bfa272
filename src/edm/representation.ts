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
  if (property.collection) {
    const items = Array.isArray(value) ? value : [];
    return isComplexProperty(property)
      ? items.map((item) => representComplexValue(property, item, level === 'full', level))
      : items;
  }
  if (value === undefined || value === null) return null;
  return isComplexProperty(property)
    ? representComplexValue(
        property,
        value,
        (annotateType && level !== 'none') || level === 'full',
        level,
      )
    : value;
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

function representComplexValue(
  property: ComplexPropertyDefinition,
  value: unknown,
  annotateType: boolean,
  level: MetadataLevel,
): Record<string, unknown> {
  const stored = (value ?? {}) as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  const shape = shapeOf(property.type);
  if (annotateType) result['@odata.type'] = shape.annotation;
  for (const { name, definition, fullAnnotation } of shape.properties) {
    if (level === 'full' && fullAnnotation) result[`${name}@odata.type`] = fullAnnotation;
    result[name] = representPropertyValue(definition, stored[name], false, level);
  }
  return result;
}

/** A declared property as responses carry it: its name, definition and type annotation. */
export interface RepresentedProperty {
  readonly name: string;
  readonly definition: PropertyDefinition;
  /** What metadata=full adds as `<name>@odata.type`, if anything. */
  readonly fullAnnotation: string | undefined;
}

interface ComplexShape {
  readonly annotation: string;
  readonly properties: readonly RepresentedProperty[];
}

// Every response walks these; worked out once per type rather than once per value.
const shapes = new WeakMap<ComplexPropertyDefinition['type'], ComplexShape>();

function shapeOf(type: ComplexPropertyDefinition['type']): ComplexShape {
  let shape = shapes.get(type);
  if (!shape) {
    shape = {
      annotation: complexTypeAnnotation(type),
      properties: representedProperties(type.properties),
    };
    shapes.set(type, shape);
  }
  return shape;
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
