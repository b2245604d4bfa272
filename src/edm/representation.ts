import { complexTypeAnnotation } from './dto-classes';
import { ComplexPropertyDefinition, isComplexProperty, PropertyDefinition } from './model';

/**
 * The response form of a declared property value (OData JSON Format 4.01 §7): a complex value
 * carries every declared property of its type (null, or [] for a collection, when unset) and never
 * a secret one. Top-level complex values carry `@odata.type` as the seed's example response does.
 */
export function representPropertyValue(
  property: PropertyDefinition,
  value: unknown,
  annotateType: boolean,
): unknown {
  if (property.collection) {
    const items = Array.isArray(value) ? value : [];
    return isComplexProperty(property)
      ? items.map((item) => representComplexValue(property, item, false))
      : items;
  }
  if (value === undefined || value === null) return null;
  return isComplexProperty(property) ? representComplexValue(property, value, annotateType) : value;
}

function representComplexValue(
  property: ComplexPropertyDefinition,
  value: unknown,
  annotateType: boolean,
): Record<string, unknown> {
  const stored = (value ?? {}) as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  if (annotateType) result['@odata.type'] = complexTypeAnnotation(property.type);
  for (const [name, nested] of Object.entries(property.type.properties)) {
    if (nested.secret) continue;
    result[name] = representPropertyValue(nested, stored[name], false);
  }
  return result;
}
