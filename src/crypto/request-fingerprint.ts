import { createHmac } from 'node:crypto';

/**
 * A keyed fingerprint of a request body, to recognise the retry of a create. Keyed (HMAC), because
 * a body may hold a secret: the stored fingerprint must not let anyone test guesses of it.
 */
export class RequestFingerprinter {
  constructor(private readonly key: Buffer) {}

  fingerprint(value: unknown): string {
    return createHmac('sha256', this.key).update(canonicalJson(value)).digest('base64url');
  }
}

/** JSON with object keys sorted, so that the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, nested]) => nested !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, nested]) => `${JSON.stringify(key)}:${canonicalJson(nested)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
