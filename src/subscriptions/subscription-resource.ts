import { InvalidRequestError } from '../common/errors';
import { DYNAMIC_PROPERTIES_COLUMN } from '../database/entity-schema';
import { isGuid } from '../edm/primitive-formats';
import { ENTITY_TYPES, EntityType, STORED_ENTITY_TYPES } from '../edm/model';
import { CheckedExpression } from '../odata/query/checked-query';
import { parseFilter } from '../odata/query/expression-parser';
import { parseQueryOptions } from '../odata/query/query-options';
import { QueryChecker } from '../odata/query/query-checker';

/** What a subscription's `resource` names. */
export interface SubscribedResource {
  /** The entity type whose changes are delivered. */
  readonly entity: EntityType;
  /** One entity (`managedTenantOperations/{id}`). */
  readonly entityId?: string;
  /** The rows of one principal (`managedTenantOperations/{id}/results`). */
  readonly parent?: { readonly entity: EntityType; readonly id: string };
  readonly filterText?: string;
  readonly filter?: CheckedExpression;
}

/** The checkers of `$filter`, for every type a subscription can name (a set's, or a contained one's). */
const CHECKERS = new Map(
  STORED_ENTITY_TYPES.map((entity) => [
    entity.name,
    new QueryChecker({ entity, dynamicColumn: DYNAMIC_PROPERTIES_COLUMN }),
  ]),
);

/**
 * Reads a subscription's `resource`: an entity set, one entity of it, or a
 * collection navigation of one entity, as a path relative to the service root (a leading `/`
 * is allowed), with an optional `$filter` on collections that the query layer checks as it
 * checks a request's. Anything else is a 400 naming what is wrong.
 */
export function parseSubscribedResource(text: string): SubscribedResource {
  const [rawPath, query = '', ...more] = text.trim().split('?');
  if (more.length > 0) throw invalid(text, 'it has more than one "?"');
  const path = rawPath.replace(/^\//, '').replace(/\('([^']*)'\)/g, '/$1');
  const [setName, id, navigationName, ...rest] = path.split('/');
  if (rest.length > 0) throw invalid(text, 'it is deeper than {entitySet}/{id}/{navigation}');
  const entity = ENTITY_TYPES.find((candidate) => candidate.entitySetName === setName);
  if (!entity) {
    throw invalid(
      text,
      `'${setName}' is not an entity set (${ENTITY_TYPES.map((e) => e.entitySetName).join(', ')})`,
    );
  }
  if (id !== undefined && !isGuid(id)) throw invalid(text, `'${id}' is not an id (a GUID)`);
  let target = entity;
  let parent: SubscribedResource['parent'];
  if (navigationName !== undefined) {
    const navigation = entity.navigationProperties[navigationName];
    if (!navigation || !navigation.collection || !navigation.expandable) {
      throw invalid(text, `'${navigationName}' is not a collection navigation of ${entity.name}`);
    }
    target = navigation.target();
    parent = { entity, id: id!.toLowerCase() };
  }
  const options = parseQueryOptions(query, new Set(['filter'])).system;
  const filterText = options.get('filter');
  if (filterText !== undefined && id !== undefined && navigationName === undefined) {
    throw invalid(text, '$filter applies to collections only');
  }
  const filter =
    filterText !== undefined
      ? CHECKERS.get(target.name)!.checkFilter(parseFilter(filterText))
      : undefined;
  return {
    entity: target,
    entityId: navigationName === undefined && id !== undefined ? id.toLowerCase() : undefined,
    parent,
    filterText,
    filter,
  };
}

function invalid(resource: string, why: string): InvalidRequestError {
  return new InvalidRequestError(`The resource '${resource}' is not one to subscribe to: ${why}.`);
}
