import { entityTypeAnnotation } from '../edm/dto-classes';
import { managedTenantOperation as model } from '../edm/model';
import { representPropertyValue } from '../edm/representation';
import { ManagedTenantOperation } from './managed-tenant-operation';

/**
 * The JSON representation of an operation (OData JSON Format 4.01 §4.5), shaped as the seed's
 * example response: `@odata.type`, every declared property in model order (the secret never),
 * then the dynamic properties.
 */
export function representOperation(operation: ManagedTenantOperation): Record<string, unknown> {
  const computed: Record<string, string> = {
    createdDateTime: operation.createdDateTime,
    lastModifiedDateTime: operation.lastModifiedDateTime,
  };
  const body: Record<string, unknown> = {
    '@odata.type': entityTypeAnnotation(model),
    [model.key]: operation.id,
  };
  for (const [name, property] of Object.entries(model.properties)) {
    if (name === model.key || property.secret) continue;
    body[name] = property.computed
      ? computed[name]
      : representPropertyValue(property, operation.properties[name], true);
  }
  return { ...body, ...operation.dynamicProperties };
}

/** Context URLs (OData JSON Format 4.01 §10). */
export function entityContextUrl(serviceRoot: string): string {
  return `${serviceRoot}/$metadata#${model.entitySetName}/$entity`;
}

export function collectionContextUrl(serviceRoot: string): string {
  return `${serviceRoot}/$metadata#${model.entitySetName}`;
}

/** The canonical URL of an operation (OData URL Conventions 4.01 §4.3.1). */
export function operationUrl(serviceRoot: string, id: string): string {
  return `${serviceRoot}/${model.entitySetName}('${encodeURIComponent(id.replace(/'/g, "''"))}')`;
}

export function representSingle(
  operation: ManagedTenantOperation,
  serviceRoot: string,
): Record<string, unknown> {
  return { '@odata.context': entityContextUrl(serviceRoot), ...representOperation(operation) };
}

export function representCollection(
  operations: ManagedTenantOperation[],
  serviceRoot: string,
): Record<string, unknown> {
  return {
    '@odata.context': collectionContextUrl(serviceRoot),
    value: operations.map(representOperation),
  };
}
