import { entityTypeAnnotation } from '../edm/dto-classes';
import { managedTenantOperation as model } from '../edm/model';
import { representPropertyValue } from '../edm/representation';
import { SelectedPath } from '../odata/query/checked-query';
import { entityTagOf } from './entity-tag';
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
    '@odata.etag': entityTagOf(operation),
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

/** Context URLs (OData JSON Format 4.01 §10), with the select list when there is one (§10.9). */
export function entityContextUrl(serviceRoot: string, selectText?: string): string {
  return `${collectionContextUrl(serviceRoot, selectText)}/$entity`;
}

export function collectionContextUrl(serviceRoot: string, selectText?: string): string {
  const selectList =
    selectText === undefined
      ? ''
      : `(${selectText
          .split(',')
          .map((item) => item.trim())
          .join(',')})`;
  return `${serviceRoot}/$metadata#${model.entitySetName}${selectList}`;
}

/** The canonical URL of an operation (OData URL Conventions 4.01 §4.3.1). */
export function operationUrl(serviceRoot: string, id: string): string {
  return `${serviceRoot}/${model.entitySetName}('${encodeURIComponent(id.replace(/'/g, "''"))}')`;
}

/**
 * Keeps only the selected properties (URL Conventions 4.01 §5.1.3): the key and `@odata.type`
 * always, a complex value reduced to its selected sub-properties.
 */
export function selectProperties(
  representation: Record<string, unknown>,
  select: readonly SelectedPath[] | undefined,
): Record<string, unknown> {
  if (!select) return representation;
  const result: Record<string, unknown> = {
    '@odata.type': representation['@odata.type'],
    '@odata.etag': representation['@odata.etag'],
    [model.key]: representation[model.key],
  };
  for (const { property, subProperty } of select) {
    if (!(property in representation)) continue;
    const value = representation[property];
    if (subProperty === undefined || value === null || typeof value !== 'object') {
      result[property] = value;
      continue;
    }
    const complex = value as Record<string, unknown>;
    const selected = (result[property] ??= { '@odata.type': complex['@odata.type'] }) as Record<
      string,
      unknown
    >;
    selected[subProperty] = complex[subProperty];
  }
  return result;
}

export function representSingle(
  operation: ManagedTenantOperation,
  serviceRoot: string,
  select?: { select?: readonly SelectedPath[]; selectText?: string },
): Record<string, unknown> {
  return {
    '@odata.context': entityContextUrl(serviceRoot, select?.selectText),
    ...selectProperties(representOperation(operation), select?.select),
  };
}

/** A page of the collection (OData JSON Format 4.01 §12): context, count, value, nextLink. */
export function representPage(
  operations: readonly ManagedTenantOperation[],
  context: { serviceRoot: string; select?: readonly SelectedPath[]; selectText?: string },
  count: number | undefined,
  nextLink: string | undefined,
): Record<string, unknown> {
  return {
    '@odata.context': collectionContextUrl(context.serviceRoot, context.selectText),
    ...(count === undefined ? {} : { '@odata.count': count }),
    value: operations.map((operation) =>
      selectProperties(representOperation(operation), context.select),
    ),
    ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
  };
}
