import { EntityType, holdsSecret, isComplexProperty, qualifiedName } from '../../edm/model';
import { SelectedPath } from './checked-query';
import { InvalidQueryError } from './invalid-query.error';
import { PathSegment, SelectItem } from './syntax-tree';

/**
 * `$select` against the model: declared properties (secrets never), a complex property's
 * members one level down, dynamic properties of an open type; navigations are left to `$expand`.
 * `*` selects everything (no list).
 */
export function checkSelect(
  entity: EntityType,
  items: readonly SelectItem[],
): SelectedPath[] | undefined {
  if (items.some((item) => item.path === '*')) return undefined;
  const selected: SelectedPath[] = [];
  for (const item of items) {
    const path = item.path as readonly PathSegment[];
    const [first, second, ...rest] = path;
    if (entity.navigationProperties[first.name] && !second) {
      // A navigation is part of a response when $expand names it; selecting it adds nothing.
      continue;
    }
    const property = entity.properties[first.name];
    if (property && holdsSecret(property)) {
      throw new InvalidQueryError('$select', `'${first.name}' cannot be selected`, first.position);
    }
    if (!property) {
      if (!entity.openType || second) {
        throw new InvalidQueryError(
          '$select',
          `'${first.name}' is not a property of ${entity.name}`,
          first.position,
        );
      }
      selected.push({ property: first.name });
      continue;
    }
    if (!second) {
      selected.push({ property: first.name });
      continue;
    }
    if (!isComplexProperty(property) || property.collection || rest.length > 0) {
      throw new InvalidQueryError(
        '$select',
        `'${path.map((s) => s.name).join('/')}' is not a selectable path`,
        second.position,
      );
    }
    const nested = property.type.properties[second.name];
    if (!nested || holdsSecret(nested)) {
      throw new InvalidQueryError(
        '$select',
        `'${second.name}' is not a property of ${qualifiedName(property.type)}`,
        second.position,
      );
    }
    selected.push({ property: first.name, subProperty: second.name });
  }
  return selected;
}
