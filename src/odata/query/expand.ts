import { EntityType, NavigationProperty } from '../../edm/model';
import { CollectionQuery } from './checked-query';
import { parseFilter, parseOrderBy, parseSelect } from './expression-parser';
import { InvalidQueryError } from './invalid-query.error';
import { QueryChecker } from './query-checker';
import { parseBooleanOption, parseCount } from './query-options';

/** The most items an expanded collection holds; more are reached through its nextLink. */
export const MAX_EXPANDED_ITEMS = 100;

const OPTION = '$expand';

/** One navigation of `$expand`, with its nested query options checked against its target. */
export interface ExpandItem {
  readonly name: string;
  readonly navigation: NavigationProperty;
  readonly target: EntityType;
  readonly query: Pick<CollectionQuery, 'filter' | 'orderBy' | 'select' | 'skip' | 'count'>;
  /** At most this many items (`$top`, capped at MAX_EXPANDED_ITEMS). */
  readonly top: number;
  /** Whether `$top` asked for fewer than the cap (so that a full group is not truncated). */
  readonly topGiven: boolean;
  /** The nested options as written, for the navigation's nextLink. */
  readonly options: ReadonlyArray<readonly [string, string]>;
  readonly selectText?: string;
}

/** The nested options `$expand` takes (OData URL Conventions 4.01 §5.1.2). */
const NESTED_OPTIONS = new Set(['select', 'filter', 'orderby', 'top', 'skip', 'count']);

/**
 * Parses and checks `$expand` (URL Conventions 4.01 §5.1.2): a comma-separated list of the
 * entity type's expandable navigations, each optionally with nested `$select`, `$filter`,
 * `$orderby`, `$top`, `$skip` and `$count` separated by `;`. One level deep: nested `$expand`,
 * `$levels`, `*` and `$ref` are refused with a message that says so.
 */
export function parseExpand(
  text: string,
  entity: EntityType,
  checkerFor: (target: EntityType) => QueryChecker,
): ExpandItem[] {
  const items: ExpandItem[] = [];
  for (const raw of splitOutside(text, ',', OPTION)) {
    const item = raw.trim();
    if (item === '') throw new InvalidQueryError(OPTION, 'an item of the list is empty');
    const open = item.indexOf('(');
    const path = (open < 0 ? item : item.slice(0, open)).trim();
    if (open >= 0 && !item.endsWith(')')) {
      throw new InvalidQueryError(OPTION, `'${item}' has no closing parenthesis`);
    }
    if (path === '*' || path.includes('/')) {
      throw new InvalidQueryError(
        OPTION,
        `'${path}' is not supported: name a navigation property (${expandableNames(entity)})`,
      );
    }
    const navigation = entity.navigationProperties[path];
    if (!navigation || !navigation.expandable) {
      throw new InvalidQueryError(
        OPTION,
        `'${path}' is not a navigation property of ${entity.name} that can be expanded ` +
          `(expanding it is not supported; navigations: ${expandableNames(entity) || 'none'})`,
      );
    }
    if (items.some((known) => known.name === path)) {
      throw new InvalidQueryError(OPTION, `'${path}' is expanded more than once`);
    }
    const nestedText = open < 0 ? '' : item.slice(open + 1, -1);
    if (!navigation.collection && /\$?(filter|orderby|top|skip|count)\s*=/i.test(nestedText)) {
      throw new InvalidQueryError(
        OPTION,
        `'${path}' is one entity: only $select applies inside $expand=${path}(…)`,
      );
    }
    items.push(expandItem(path, navigation, nestedText, checkerFor(navigation.target())));
  }
  return items;
}

function expandItem(
  name: string,
  navigation: NavigationProperty,
  nestedText: string,
  checker: QueryChecker,
): ExpandItem {
  const options = new Map<string, string>();
  for (const part of splitOutside(nestedText, ';', OPTION)) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    const rawName = (equals < 0 ? part : part.slice(0, equals)).trim();
    const bare = (rawName.startsWith('$') ? rawName.slice(1) : rawName).toLowerCase();
    if (!NESTED_OPTIONS.has(bare)) {
      throw new InvalidQueryError(
        OPTION,
        `'${rawName}' is not supported inside $expand=${name}(…) (one level deep: $select, ` +
          '$filter, $orderby, $top, $skip, $count)',
      );
    }
    if (options.has(bare)) {
      throw new InvalidQueryError(OPTION, `$${bare} is given more than once in ${name}(…)`);
    }
    options.set(bare, equals < 0 ? '' : part.slice(equals + 1));
  }
  const where = `${OPTION}=${name}(…) $`;
  const selectText = options.get('select');
  const top = options.has('top')
    ? parseCount(`${where}top`, options.get('top')!.trim(), MAX_EXPANDED_ITEMS)
    : undefined;
  return {
    name,
    navigation,
    target: navigation.target(),
    query: {
      filter: options.has('filter')
        ? checker.checkFilter(parseFilter(options.get('filter')!))
        : undefined,
      orderBy: options.has('orderby')
        ? checker.checkOrderBy(parseOrderBy(options.get('orderby')!))
        : checker.defaultOrder(),
      select: selectText !== undefined ? checker.checkSelect(parseSelect(selectText)) : undefined,
      skip: options.has('skip')
        ? parseCount(`${where}skip`, options.get('skip')!.trim())
        : undefined,
      count: options.has('count')
        ? parseBooleanOption(`${where}count`, options.get('count')!.trim())
        : false,
    },
    top: top ?? MAX_EXPANDED_ITEMS,
    topGiven: top !== undefined,
    options: [...options].map(([option, value]) => [`$${option}`, value] as const),
    selectText,
  };
}

function expandableNames(entity: EntityType): string {
  return Object.entries(entity.navigationProperties)
    .filter(([, navigation]) => navigation.expandable)
    .map(([name]) => name)
    .join(', ');
}

/** Splits on a separator outside parentheses and string literals; unbalanced text is an error. */
export function splitOutside(text: string, separator: string, option: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth < 0) {
        throw new InvalidQueryError(option, 'a parenthesis is closed that was not opened', index);
      }
    } else if (depth === 0 && char === separator) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  if (depth !== 0 || quoted) {
    throw new InvalidQueryError(option, 'a parenthesis or quote is not closed');
  }
  parts.push(text.slice(start));
  return parts;
}
