/**
 * The live service's shape of an operation (`/beta/tenantRelationships/managedTenants/
 * managedTenantOperations`), as its public client sends and reads it: `displayName` for `name`,
 * `operationDefinition.values` and `aggregationDefinition.values` (one statement per item) for
 * `value`, `returnsPartialResults`, and the rows of the run in `result.results`, one JSON string
 * holding the array of the aggregated rows. Pure translation, both ways.
 */

type Json = Record<string, unknown>;

const DEFINITIONS = ['operationDefinition', 'aggregationDefinition'] as const;

/** A body in the live shape, as this service's create takes it. */
export function fromLive(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { displayName, ...rest } = body as Json;
  const ours: Json = { ...rest };
  if (displayName !== undefined && ours.name === undefined) ours.name = displayName;
  for (const name of DEFINITIONS) {
    const definition = ours[name];
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
      continue;
    const { values, ...others } = definition as Json;
    if (values === undefined) continue;
    ours[name] = {
      ...others,
      // Not an array of strings: left as it is, for validation to refuse it with its name.
      value:
        Array.isArray(values) && values.every((item) => typeof item === 'string')
          ? values.join('\n')
          : values,
    };
  }
  return ours;
}

/** An operation's representation in the live shape. */
export function toLive(representation: Json): Json {
  const { name, ...rest } = representation;
  const live: Json = { ...rest, displayName: name };
  for (const definition of DEFINITIONS) {
    const value = (live[definition] as Json | null | undefined) ?? undefined;
    if (!value) continue;
    const { value: text, ...others } = value;
    live[definition] = {
      ...others,
      values:
        typeof text === 'string' ? text.split(/\r?\n/).filter((line) => line.trim() !== '') : [],
    };
  }
  const result = live.result as Json | null | undefined;
  if (result) {
    const rows = Array.isArray(result.result) ? (result.result as unknown[]) : [];
    live.result = {
      ...result,
      results: `[${rows.filter((row): row is string => typeof row === 'string').join(',')}]`,
    };
  }
  return live;
}
