/**
 * Entity tags and the conditional request headers (RFC 9110 §8.8.3, §13.1; OData Protocol 4.01
 * §11.4.1.1). Our tags are weak (`W/"…"`), as the representation may differ byte for byte between
 * formats; like most OData services we compare them by their opaque value for If-Match too.
 */
export type EntityTagCondition = '*' | readonly string[];

/** Parses If-Match / If-None-Match: `*`, or a comma-separated list of (weak or strong) tags. */
export function parseEntityTagCondition(
  header: string | string[] | undefined,
): EntityTagCondition | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (value.trim() === '*') return '*';
  const tags = value.match(/(?:W\/)?"[^"]*"/g) ?? [];
  return tags.map(opaqueTag);
}

/** Whether an entity whose tag is `current` satisfies the condition. */
export function conditionMatches(condition: EntityTagCondition, current: string): boolean {
  return condition === '*' || condition.includes(opaqueTag(current));
}

function opaqueTag(tag: string): string {
  return tag.replace(/^W\//, '');
}
