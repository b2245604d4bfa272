import { createHash } from 'node:crypto';
import { isGuid } from '../edm/primitive-formats';

/** What a person typed for a tenant or a user: a GUID as it is, or a name. */
export function developmentId(typed: string): string {
  const text = typed.trim();
  if (isGuid(text as unknown)) return text.toLowerCase();
  // A name stands for the same made-up GUID every time ("contoso" is always one tenant), in the
  // shape of a name-based GUID (RFC 9562 version 8: custom, from SHA-256).
  const hex = createHash('sha256')
    .update(`managed-tenant-operations:${text.toLowerCase()}`)
    .digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
