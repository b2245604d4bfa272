import { ServiceError } from '../common/errors';

import { MetadataLevel } from '../edm/representation';
import { ExportFormat } from './tabular';

export class NotAcceptableError extends ServiceError {
  readonly status = 406;
  readonly code = 'notAcceptable';
}

interface MediaRange {
  readonly type: string;
  readonly parameters: ReadonlyMap<string, string>;
  readonly quality: number;
}

function parseMediaRanges(text: string): MediaRange[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [type, ...rawParameters] = part.split(';').map((piece) => piece.trim());
      const parameters = new Map<string, string>();
      for (const raw of rawParameters) {
        const [name, value = ''] = raw.split('=');
        parameters.set(
          name.trim().toLowerCase(),
          value
            .trim()
            .replace(/^"(.*)"$/, '$1')
            .toLowerCase(),
        );
      }
      const quality = parameters.has('q') ? Number(parameters.get('q')) : 1;
      return {
        type: type.toLowerCase(),
        parameters,
        quality: Number.isFinite(quality) ? quality : 0,
      };
    });
}

const JSON_RANGES = new Set(['application/json', 'application/*', '*/*']);

/**
 * Which JSON metadata level to answer with (OData Protocol 4.01 §8.2.1, JSON Format §3.1):
 * `$format` (`json`, or a media type with parameters) wins over `Accept`. Anything that does not
 * admit JSON is 406 Not Acceptable.
 */
export function negotiateJson(
  accept: string | undefined,
  format: string | undefined,
): MetadataLevel {
  const ranges =
    format !== undefined
      ? parseMediaRanges(
          format.toLowerCase() === 'json'
            ? 'application/json'
            : format.replace(/^json(?=;)/i, 'application/json'),
        )
      : parseMediaRanges(accept ?? '*/*');
  const acceptable = ranges
    .filter((range) => JSON_RANGES.has(range.type) && range.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  if (
    acceptable.length === 0 ||
    (format !== undefined && acceptable[0].type !== 'application/json')
  ) {
    throw new NotAcceptableError(
      `This resource is available as application/json only, not '${format ?? accept}'.`,
    );
  }
  const level = acceptable[0].parameters.get('odata.metadata') ?? 'minimal';
  if (level !== 'none' && level !== 'minimal' && level !== 'full') {
    throw new NotAcceptableError(`odata.metadata=${level} is not one of none, minimal, full.`);
  }
  return level;
}

const EXPORT_TYPES: ReadonlyMap<string, ExportFormat> = new Map([
  ['text/csv', 'csv'],
  ['csv', 'csv'],
  ['application/x-ndjson', 'ndjson'],
  ['application/ndjson', 'ndjson'],
  ['ndjson', 'ndjson'],
]);

/**
 * How a collection answers: as a file (CSV or NDJSON) when `$format` names one or `Accept`
 * prefers one to JSON, else as JSON at its metadata level. `*` ranges mean JSON; a client that
 * accepts neither JSON nor a file format gets 406.
 */
export function negotiateCollection(
  accept: string | undefined,
  format: string | undefined,
): { readonly file: ExportFormat } | { readonly level: MetadataLevel } {
  if (format !== undefined) {
    const file = EXPORT_TYPES.get(format.toLowerCase().split(';')[0].trim());
    return file ? { file } : { level: negotiateJson(accept, format) };
  }
  if (accept === undefined) return { level: 'minimal' };
  const best = parseMediaRanges(accept)
    .filter(
      (range) => range.quality > 0 && (JSON_RANGES.has(range.type) || EXPORT_TYPES.has(range.type)),
    )
    .sort((a, b) => b.quality - a.quality)[0];
  const file = best && EXPORT_TYPES.get(best.type);
  if (file) return { file };
  try {
    return { level: negotiateJson(accept, format) };
  } catch (error) {
    if (!(error instanceof NotAcceptableError) || best) throw error;
    throw new NotAcceptableError(
      `This collection is available as application/json, text/csv or application/x-ndjson, not '${accept}'.`,
    );
  }
}

/** The Content-Type of a JSON response at a metadata level. */
export function odataJsonContentType(level: MetadataLevel): string {
  return `application/json;odata.metadata=${level};odata.streaming=true;IEEE754Compatible=false;charset=utf-8`;
}

/** Whether the client prefers CSDL JSON for `$metadata` (`$format=json`, or JSON before XML in Accept). */
export function prefersCsdlJson(accept: string | undefined, format: string | undefined): boolean {
  if (format !== undefined) {
    const type = format.toLowerCase().split(';')[0].trim();
    if (type === 'json' || type === 'application/json') return true;
    if (type === 'xml' || type === 'application/xml') return false;
    throw new NotAcceptableError(
      `$metadata is available as application/xml or application/json, not '${format}'.`,
    );
  }
  const ranges = parseMediaRanges(accept ?? '*/*').filter((range) => range.quality > 0);
  const best = ranges
    .sort((a, b) => b.quality - a.quality)
    .find((range) =>
      ['application/json', 'application/xml', 'application/*', '*/*', 'text/xml'].includes(
        range.type,
      ),
    );
  if (!best) {
    throw new NotAcceptableError(
      `$metadata is available as application/xml or application/json, not '${accept}'.`,
    );
  }
  return best.type === 'application/json';
}
