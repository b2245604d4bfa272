import { GRAPH_NAMESPACE } from '../edm/model';
import { BOUND_FUNCTIONS } from '../edm/model-bound-operations';

/**
 * OData URL Conventions 4.01 §4.3.1: an entity is addressed by a key predicate in parentheses,
 * `Set('key')` or `Set(id='key')`, or (§4.3.6) by key-as-segment, `Set/key`, as Microsoft Graph
 * does. We route on the key-as-segment form, so this rewrites the parenthesized forms to it.
 * A predicate that is not a single non-empty string literal is left alone, so that the route does
 * not match and the answer is 404 naming the URL as sent: rewritten, `('')` would become the
 * collection (`Set/`) and `('')/$count` a path with an empty segment.
 */
const PARENTHESIZED_KEY = /^([^?]*\/[A-Za-z_][A-Za-z0-9_]*)\(([^/?]*)\)([^?]*)(\?.*)?$/;
// string = SQUOTE *( SQUOTE-in-string / pchar-no-SQUOTE ) SQUOTE, with '' as an escaped quote
const STRING_LITERAL = /^(?:[A-Za-z_][A-Za-z0-9_]*=)?'((?:[^']|'')*)'$/;

/** An integer key (a run's `runNumber`): `runs(3)` or `runs(runNumber=3)`. */
const INT32_LITERAL = /^(?:[A-Za-z_][A-Za-z0-9_]*=)?([0-9]{1,10})$/;

/** The bound functions, by name and qualified name (`delta|microsoft\.graph\.delta|…`). */
const FUNCTION_NAMES = [...new Set(BOUND_FUNCTIONS.map((bound) => bound.name))]
  .map((name) => `(?:${GRAPH_NAMESPACE.replace(/\./g, '\\.')}\\.)?${name}`)
  .join('|');
/** A bound function called without parameters, `…/delta()`: routed as `…/delta`. */
const PARAMETERLESS_FUNCTION = new RegExp(`\\/(${FUNCTION_NAMES})\\(\\)(?=$|\\?)`);
/**
 * A bound function called with parameters, `…/compareRuns(baseRunNumber=1,runNumber=2)`: routed
 * as `…/compareRuns/baseRunNumber=1,runNumber=2`, the parameters one segment its route reads.
 */
const FUNCTION_WITH_PARAMETERS = new RegExp(`\\/(${FUNCTION_NAMES})\\(([^()/?]+)\\)(?=$|\\?)`);

export function rewriteKeyPredicate(url: string): string {
  url = url.replace(PARAMETERLESS_FUNCTION, '/$1').replace(FUNCTION_WITH_PARAMETERS, '/$1/$2');
  // A navigation path has a key predicate per segment (`Set('a')/nav('b')`): the pattern takes
  // the last one, so rewrite until none is left (at most one per segment of a served path).
  for (let rewrites = 0; rewrites < MAX_KEY_SEGMENTS; rewrites += 1) {
    const next = rewriteLastKeyPredicate(url);
    if (next === url) return url;
    url = next;
  }
  return url;
}

const MAX_KEY_SEGMENTS = 4;

function rewriteLastKeyPredicate(url: string): string {
  const match = PARENTHESIZED_KEY.exec(url);
  if (!match) return url;
  const [, collectionPath, predicate, rest, query = ''] = match;
  let decoded: string;
  try {
    decoded = decodeURIComponent(predicate);
  } catch {
    return url;
  }
  const integer = INT32_LITERAL.exec(decoded);
  if (integer) return `${collectionPath}/${integer[1]}${rest}${query}`;
  const literal = STRING_LITERAL.exec(decoded);
  if (!literal) return url;
  const key = literal[1].replace(/''/g, "'");
  if (key === '') return url;
  return `${collectionPath}/${encodeURIComponent(key)}${rest}${query}`;
}
