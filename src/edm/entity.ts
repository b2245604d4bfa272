/**
 * An entity as the service handles it, of any type: the key and the computed timestamps,
 * the declared properties by name as the model types them (complex values as plain objects;
 * secrets in plaintext, only in memory), and the dynamic properties of the open type as sent.
 */
export interface Entity<Properties extends object = Readonly<Record<string, unknown>>> {
  readonly id: string;
  readonly createdDateTime: string;
  readonly lastModifiedDateTime: string;
  /**
   * Declared, non-computed properties other than the key; typed from the model for a known
   * entity type (`Entity<ManagedTenantOperationProperties>`, src/edm/model.ts).
   */
  readonly properties: Properties;
  /** Dynamic properties of the open type, as the client sent them. */
  readonly dynamicProperties: Readonly<Record<string, unknown>>;
}

/** The weak ETag of an entity. lastModifiedDateTime advances strictly on every update, so the
 * tag changes with every change, and differs for a new entity created with the id of a deleted one. */
export function entityTagOf(entity: Pick<Entity, 'lastModifiedDateTime'>): string {
  return `W/"${Buffer.from(entity.lastModifiedDateTime, 'utf8').toString('base64url')}"`;
}

/**
 * Equalities every entity of a read or write must satisfy besides its tenant: a navigation's
 * constraint (`managedTenantOperationId` = the operation's id, for `…/{id}/results`). Names are
 * declared properties; values are bound.
 */
export type RowConstraint = Readonly<Record<string, string>>;
