import { ComplexType, EntityType, qualifiedName } from './model';

/** `@odata.type` values accepted in requests for a type: the qualified name, with or without `#`. */
export function acceptedTypeAnnotations(type: ComplexType | EntityType): string[] {
  return [qualifiedName(type), `#${qualifiedName(type)}`];
}

/** How responses name complex values, exactly as the seed's example response does (no `#`). */
export function complexTypeAnnotation(type: ComplexType): string {
  return qualifiedName(type);
}

/** How responses name the entity, exactly as the seed's example response does (with `#`). */
export function entityTypeAnnotation(type: EntityType): string {
  return `#${qualifiedName(type)}`;
}
