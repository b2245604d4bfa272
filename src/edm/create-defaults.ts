import { randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../common/errors';
import { EntityType } from './model';

/** Who writes: the token's tenant, and its user (empty for an application's token). */
export interface Writer {
  readonly tenantId: string;
  readonly userId: string;
}

/**
 * The properties of a create (or a replace) with what the model fills in for those left out
 * (`createDefault`): the writer's tenant and user, a new GUID (a replace keeps `current`'s), or a
 * fixed value. The input is returned as it is when nothing is missing.
 */
export function withCreateDefaults(
  entity: EntityType,
  properties: Record<string, unknown>,
  writer: Writer,
  current?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  let filled: Record<string, unknown> | undefined;
  for (const [name, property] of Object.entries(entity.properties)) {
    const fill = property.createDefault;
    if (fill === undefined || properties[name] !== undefined) continue;
    filled ??= { ...properties };
    if (fill === 'callerTenant') filled[name] = writer.tenantId;
    else if (fill === 'callerUser') {
      // An application's token names no user: the client says who it acts for.
      if (!writer.userId) {
        throw new InvalidRequestError(
          `Invalid request body: '${name}' is required: the token names no user (oid) to take it from.`,
        );
      }
      filled[name] = writer.userId;
    } else if (fill === 'newGuid') filled[name] = current?.[name] ?? randomUUID();
    else filled[name] = structuredClone(fill.value);
  }
  return filled ?? properties;
}
