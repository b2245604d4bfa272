import { holdsSecret, isComplexProperty, PropertyDefinition } from './model';

/**
 * Applies `transform` to every secret string inside a property value (at any depth of complex values
 * and collections) and returns the new value; the input is not changed.
 * Used to encrypt on the way into storage and decrypt on the way out.
 */
export function mapSecretValues(
  property: PropertyDefinition,
  value: unknown,
  transform: (secret: string) => string,
): unknown {
  if (value === null || value === undefined) return value;
  if (property.secret && typeof value === 'string') return transform(value);
  // Most values hold no secret at all: returned as they are, not copied.
  if (!isComplexProperty(property) || !bearsSecret(property)) return value;
  const mapOne = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    const result: Record<string, unknown> = {};
    for (const [key, nested] of Object.entries(item)) {
      const nestedProperty = property.type.properties[key];
      result[key] = nestedProperty ? mapSecretValues(nestedProperty, nested, transform) : nested;
    }
    return result;
  };
  return Array.isArray(value) ? value.map(mapOne) : mapOne(value);
}

const secretBearing = new WeakMap<PropertyDefinition, boolean>();

/** holdsSecret, worked out once per property definition (it walks the complex types). */
function bearsSecret(property: PropertyDefinition): boolean {
  let answer = secretBearing.get(property);
  if (answer === undefined) {
    answer = holdsSecret(property);
    secretBearing.set(property, answer);
  }
  return answer;
}
