/** OData URL pieces the console builds: literals, query options, filters. */

/** A string literal in a URL's $filter: single quotes, doubled inside (OData ABNF SQUOTE-in-string). */
export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export type QueryOptions = Readonly<Record<string, string | number | boolean | undefined>>;

/** `?$top=50&$filter=…`: each value percent-encoded, options without a value left out. */
export function queryString(options: QueryOptions): string {
  const parts = Object.entries(options)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Clauses joined with `and`, each in parentheses; empty ones left out. */
export function allOf(...clauses: ReadonlyArray<string | undefined | false>): string | undefined {
  const present = clauses.filter((clause): clause is string => !!clause);
  if (present.length === 0) return undefined;
  return present.length === 1 ? present[0] : present.map((clause) => `(${clause})`).join(' and ');
}

/** A case-insensitive "contains" on a text property, for a search box. */
export function containsText(property: string, text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed ? `contains(tolower(${property}),${quote(trimmed.toLowerCase())})` : undefined;
}

/** `$orderby` from a column and a direction. */
export function orderBy(property: string, descending: boolean): string {
  return `${property} ${descending ? 'desc' : 'asc'}`;
}

/** The path and query of an absolute or relative link the API gave, relative to the API root. */
export function linkPath(link: string, apiBase: string): string {
  const url = new URL(link, `http://service${apiBase}/`);
  const path = url.pathname.startsWith(`${apiBase}/`)
    ? url.pathname.slice(apiBase.length + 1)
    : url.pathname.replace(/^\//, '');
  return `${path}${url.search}`;
}
