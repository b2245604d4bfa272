import { entityTypeAnnotation } from '../edm/type-annotations';
import { managedTenantOperation as model } from '../edm/model';
import {
  MetadataLevel,
  representedProperties,
  representPropertyValue,
} from '../edm/representation';
import { SelectedPath } from '../odata/query/checked-query';
import { entityTagOf } from './entity-tag';
import { ManagedTenantOperation } from './managed-tenant-operation';

/** How a response is shaped: where the service is, the metadata level, the $select. */
export interface RepresentationContext {
  readonly serviceRoot: string;
  readonly level?: MetadataLevel;
  readonly select?: readonly SelectedPath[];
  readonly selectText?: string;
}

/**
 * The JSON representation of an operation (OData JSON Format 4.01 §4.5), shaped as the seed's
 * example response: `@odata.type`, every declared property in model order (the secret never),
 * then the dynamic properties. metadata=none drops the control information; metadata=full adds
 * `@odata.id`, `@odata.editLink` and the types JSON cannot tell.
 */
export function representOperation(
  operation: ManagedTenantOperation,
  context: RepresentationContext,
): Record<string, unknown> {
  const level = context.level ?? 'minimal';
  const computed: Record<string, string> = {
    createdDateTime: operation.createdDateTime,
    lastModifiedDateTime: operation.lastModifiedDateTime,
  };
  const body: Record<string, unknown> = {};
  if (level !== 'none') body['@odata.type'] = ENTITY_TYPE_ANNOTATION;
  if (level === 'full') {
    body['@odata.id'] = operationUrl(context.serviceRoot, operation.id);
    body['@odata.editLink'] = operationUrl('', operation.id).slice(1);
  }
  if (level !== 'none') body['@odata.etag'] = entityTagOf(operation);
  body[model.key] = operation.id;
  for (const { name, definition, fullAnnotation } of REPRESENTED_PROPERTIES) {
    if (level === 'full' && fullAnnotation) body[`${name}@odata.type`] = fullAnnotation;
    body[name] = definition.computed
      ? computed[name]
      : representPropertyValue(definition, operation.properties[name], true, level);
  }
  return selectProperties({ ...body, ...operation.dynamicProperties }, context.select);
}

const ENTITY_TYPE_ANNOTATION = entityTypeAnnotation(model);
/** The declared properties of a response after the key, in model order. */
const REPRESENTED_PROPERTIES = representedProperties(model.properties).filter(
  ({ name }) => name !== model.key,
);

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
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(representation)) {
    if (key.startsWith('@odata.')) result[key] = value;
  }
  result[model.key] = representation[model.key];
  for (const { property, subProperty } of select) {
    if (!(property in representation)) continue;
    const value = representation[property];
    const typeAnnotation = `${property}@odata.type`;
    if (typeAnnotation in representation) result[typeAnnotation] = representation[typeAnnotation];
    if (subProperty === undefined || value === null || typeof value !== 'object') {
      result[property] = value;
      continue;
    }
    const complex = value as Record<string, unknown>;
    const selected = (result[property] ??=
      '@odata.type' in complex ? { '@odata.type': complex['@odata.type'] } : {}) as Record<
      string,
      unknown
    >;
    const subTypeAnnotation = `${subProperty}@odata.type`;
    if (subTypeAnnotation in complex) selected[subTypeAnnotation] = complex[subTypeAnnotation];
    selected[subProperty] = complex[subProperty];
  }
  return result;
}

export function representSingle(
  operation: ManagedTenantOperation,
  context: RepresentationContext,
): Record<string, unknown> {
  const body = representOperation(operation, context);
  return context.level === 'none'
    ? body
    : { '@odata.context': entityContextUrl(context.serviceRoot, context.selectText), ...body };
}

/** A page of the collection (OData JSON Format 4.01 §12): context, count, value, nextLink. */
export function representPage(
  operations: readonly ManagedTenantOperation[],
  context: RepresentationContext,
  count: number | undefined,
  nextLink: string | undefined,
): Record<string, unknown> {
  return {
    ...(context.level === 'none'
      ? {}
      : { '@odata.context': collectionContextUrl(context.serviceRoot, context.selectText) }),
    ...(count === undefined ? {} : { '@odata.count': count }),
    value: operations.map((operation) => representOperation(operation, context)),
    ...(nextLink === undefined ? {} : { '@odata.nextLink': nextLink }),
  };
}
