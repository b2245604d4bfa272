import { InvalidQueryError } from './invalid-query.error';

/** The system query options this service serves on some resource. */
export const SERVED_OPTIONS = [
  'filter',
  'orderby',
  'select',
  'top',
  'skip',
  'count',
  'search',
  'skiptoken',
  'format',
] as const;

/** `$expand`, served where an entity type has navigations (src/odata/query/expand.ts). */
export type SystemOption = (typeof SERVED_OPTIONS)[number] | 'expand' | 'deltatoken';

/** Every system query option of OData 4.01 (URL Conventions §5): the served ones and the rest. */
const SYSTEM_OPTIONS = new Set<string>([
  ...SERVED_OPTIONS,
  'expand',
  'compute',
  'apply',
  'index',
  'deltatoken',
  'levels',
  'schemaversion',
  'id',
]);

/** The query string split into options, in the order they were written. */
export interface QueryOptions {
  /** System options by name without `$`, lower case. */
  readonly system: ReadonlyMap<string, string>;
}

/**
 * Splits a raw query string (after `?`) into system query options, as Microsoft Graph reads them:
 * the `$` prefix is optional (`filter=` is `$filter=`), names are case-insensitive, an option given
 * twice or an unknown `$`-option is an error. Other names are custom query options, which OData lets
 * a service ignore. Values are decoded as HTML forms encode them (`+` is a space, `%2B` a plus sign),
 * as Microsoft Graph and ASP.NET read query strings, and as curl, browsers and most HTTP libraries
 * send them.
 */
export function parseQueryOptions(
  rawQuery: string,
  allowed: ReadonlySet<SystemOption>,
): QueryOptions {
  const system = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const rawName = equals < 0 ? part : part.slice(0, equals);
    const rawValue = equals < 0 ? '' : part.slice(equals + 1);
    const name = decode(rawName, rawName);
    const hasDollar = name.startsWith('$');
    const bare = (hasDollar ? name.slice(1) : name).toLowerCase();
    if (!SYSTEM_OPTIONS.has(bare)) {
      if (hasDollar) throw new InvalidQueryError(name, `'${name}' is not a system query option`);
      continue;
    }
    const option = `$${bare}`;
    if (!allowed.has(bare as SystemOption)) {
      throw new InvalidQueryError(option, `${option} is not supported on this resource`);
    }
    if (system.has(bare)) throw new InvalidQueryError(option, `${option} is given more than once`);
    system.set(bare, decode(rawValue, option));
  }
  return { system };
}

function decode(text: string, option: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new InvalidQueryError(option, 'the value is not valid percent-encoding');
  }
}

/** A non-negative integer option ($top, $skip), at most `max`. */
export function parseCount(option: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d{1,15}$/.test(text))
    throw new InvalidQueryError(option, `'${text}' is not a non-negative integer`);
  const value = Number(text);
  if (value > max)
    throw new InvalidQueryError(option, `${value} is more than the maximum of ${max}`);
  return value;
}

export function parseBooleanOption(option: string, text: string): boolean {
  const lower = text.toLowerCase();
  if (lower !== 'true' && lower !== 'false')
    throw new InvalidQueryError(option, `'${text}' is not true or false`);
  return lower === 'true';
}
