import { holdsSecret, isComplexProperty, PropertyDefinition } from './model';

/**
 * How a change applies to a stored value, by the model: PATCH merges complex values (OData 4.01
 * §11.4.3, as Graph does), and a replacement keeps the secrets it does not mention (a client
 * never reads them back, so it cannot send them again).
 */

/** A PATCH's value merged into the current one: complex values property by property. */
export function mergeValue(
  property: PropertyDefinition,
  current: unknown,
  change: unknown,
): unknown {
  if (!isComplexProperty(property) || property.collection) return change;
  if (change === null || typeof current !== 'object' || current === null) return change;
  const merged: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [name, value] of Object.entries(change as Record<string, unknown>)) {
    merged[name] = mergeValue(property.type.properties[name], merged[name], value);
  }
  return merged;
}

/**
 * A replacement value with the secrets it does not mention taken from the current value, at any
 * depth of complex values. (Items of collections cannot be matched up, so they are taken as sent.)
 */
export function keepUnsentSecrets(
  property: PropertyDefinition,
  current: unknown,
  sent: unknown,
): unknown {
  if (!isComplexProperty(property) || property.collection || !holdsSecret(property)) return sent;
  if (!isObject(sent) || !isObject(current)) return sent;
  const kept: Record<string, unknown> = { ...sent };
  for (const [name, nested] of Object.entries(property.type.properties)) {
    if (!(name in sent)) {
      if (nested.secret && current[name] !== undefined) kept[name] = current[name];
    } else {
      kept[name] = keepUnsentSecrets(nested, current[name], sent[name]);
    }
  }
  return kept;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
