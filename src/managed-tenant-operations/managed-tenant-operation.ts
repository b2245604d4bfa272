/**
 * A managed tenant operation as the service handles it. Declared properties are kept by name as the
 * model types them (complex values as plain objects); the secret is plaintext only in memory.
 */
export interface ManagedTenantOperation {
  readonly id: string;
  readonly createdDateTime: string;
  readonly lastModifiedDateTime: string;
  /** Declared, non-computed properties other than the key. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Dynamic properties of the open type, as the client sent them. */
  readonly dynamicProperties: Readonly<Record<string, unknown>>;
}
