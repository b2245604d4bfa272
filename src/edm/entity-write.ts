import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { InvalidRequestError } from '../common/errors';
import { EntityType, isComplexProperty, PropertyDefinition } from './model';
import { canonicalTimeOfDay, parseDateTimeOffset, toUtcDateTimeOffset } from './primitive-formats';

/** A class-validator class that a request body is checked against (src/entity-sets/dto-classes.ts). */
export type DtoClass = new () => object;

/** A validated write (create or update) of one entity, split as the model sees it. */
export interface EntityWrite {
  /** Declared, non-computed properties that were sent, with `@odata.type` annotations removed. */
  readonly declared: Record<string, unknown>;
  /** Undeclared properties of the open type, exactly as sent. */
  readonly dynamic: Record<string, unknown>;
  /** Computed properties that were sent and are ignored (a service may refuse them instead). */
  readonly computed?: readonly string[];
}

// OData CSDL 4.01 §14.3 "SimpleIdentifier": a letter or underscore, then letters, digits or
// underscores, at most 128 characters. Unicode letters are allowed by the spec; we take the
// ASCII subset and the Unicode letter classes.
const SIMPLE_IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]{0,127}$/u;

/**
 * Validates a request body against the request DTO derived from the model and returns the write.
 *
 * Rules (OData JSON Format 4.01 §4, §20): the body must be one JSON object; keys containing `@`
 * are annotations: `@odata.type` is checked against the declared type, others are ignored;
 * computed properties are ignored; undeclared keys that are valid identifiers are dynamic
 * properties of an open type (of another, an error); anything else is rejected with a message naming the property.
 */
export function parseEntityWrite(entity: EntityType, dto: DtoClass, body: unknown): EntityWrite {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError(`The request body must be a JSON object (a ${entity.name}).`);
  }
  const declaredInput: Record<string, unknown> = {};
  const dynamic: Record<string, unknown> = {};
  const computed: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const property = entity.properties[key];
    if (property?.computed) {
      computed.push(key);
      continue;
    }
    if (property?.readOnly) {
      throw new InvalidRequestError(
        `'${key}' is read-only: the service sets it (${entity.name} changes ${writablePropertiesOf(entity)} only).`,
      );
    }
    if (!property && entity.navigationProperties[key]) {
      throw new InvalidRequestError(
        `'${key}' is a navigation property of ${entity.name}: its entities are written through ` +
          `their own URL (${entity.entitySetName}/{id}/${key}), not inside this body.`,
      );
    }
    if (property || key === '@odata.type') {
      declaredInput[key] = property ? withoutComputedMembers(property, value) : value;
    } else if (key.includes('@')) {
      continue;
    } else if (!entity.openType) {
      throw new InvalidRequestError(`'${key}' is not a property of ${entity.name}.`);
    } else if (SIMPLE_IDENTIFIER.test(key)) {
      dynamic[key] = value;
    } else {
      throw new InvalidRequestError(
        `'${key}' is not a property of ${entity.name}, and not a valid name for a dynamic property ` +
          '(a letter or underscore, then letters, digits or underscores, at most 128 characters).',
      );
    }
  }

  const instance = plainToInstance(dto, declaredInput);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) {
    throw new InvalidRequestError(describeValidationErrors(errors));
  }

  const declared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(declaredInput)) {
    if (key !== '@odata.type') declared[key] = canonicalValue(entity.properties[key], value);
  }
  return computed.length > 0 ? { declared, dynamic, computed } : { declared, dynamic };
}

/** The properties of an entity type a client writes, for messages. */
function writablePropertiesOf(entity: EntityType): string {
  return Object.entries(entity.properties)
    .filter(([name, property]) => name !== entity.key && !property.computed && !property.readOnly)
    .map(([name]) => `'${name}'`)
    .join(', ');
}

/**
 * A complex value without the members the service computes (a schedule's next runs): sent back
 * as a client read them, they are ignored, as computed properties of the entity are.
 */
function withoutComputedMembers(property: PropertyDefinition, value: unknown): unknown {
  if (!isComplexProperty(property) || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    return property.collection
      ? value.map((item) => withoutComputedMembers({ ...property, collection: false }, item))
      : value;
  }
  const kept: Record<string, unknown> = {};
  for (const [name, nested] of Object.entries(value as Record<string, unknown>)) {
    const member = property.type.properties[name];
    if (member?.computed) continue;
    kept[name] = member ? withoutComputedMembers(member, nested) : nested;
  }
  return kept;
}

/**
 * The form a valid value is stored in: without `@odata.type` annotations (already checked), Guids in
 * lower case (they compare case-insensitively), date-times in UTC (so they sort and compare as text).
 */
export function canonicalValue(property: PropertyDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (property.collection && Array.isArray(value)) {
    return value.map((item) => canonicalValue({ ...property, collection: false }, item));
  }
  if (isComplexProperty(property)) {
    const result: Record<string, unknown> = {};
    for (const [key, nested] of Object.entries(value as Record<string, unknown>)) {
      if (key === '@odata.type') continue;
      result[key] = canonicalValue(property.type.properties[key], nested);
    }
    return result;
  }
  if (property.type === 'Edm.Guid' || property.guidFormat) return (value as string).toLowerCase();
  if (property.type === 'Edm.DateTimeOffset') {
    const instant = parseDateTimeOffset(value);
    return instant ? toUtcDateTimeOffset(instant) : value;
  }
  if (property.type === 'Edm.TimeOfDay') return canonicalTimeOfDay(value) ?? value;
  if (property.type === 'Edm.Duration') return (value as string).toUpperCase();
  return value;
}

/**
 * The parameters of a bound action's body, validated against its request class: a JSON object
 * of the declared parameters (annotations ignored), each of its type.
 */
export function parseActionBody(
  actionName: string,
  dto: DtoClass,
  body: unknown,
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError(
      `The body of ${actionName} must be a JSON object of its parameters.`,
    );
  }
  const parameters = Object.fromEntries(Object.entries(body).filter(([key]) => !key.includes('@')));
  const errors = validateSync(plainToInstance(dto, parameters), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw new InvalidRequestError(describeValidationErrors(errors));
  return parameters;
}

/** One message for all validation failures: each names the property path and what was expected. */
export function describeValidationErrors(errors: ValidationError[]): string {
  const messages: string[] = [];
  const visit = (error: ValidationError, parentPath: string): void => {
    const path = /^\d+$/.test(error.property)
      ? `${parentPath}[${error.property}]`
      : parentPath
        ? `${parentPath}.${error.property}`
        : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      messages.push(
        constraint === 'whitelistValidation'
          ? `'${path}' is not a property of this type`
          : `'${path}' ${message}`,
      );
    }
    for (const child of error.children ?? []) visit(child, path);
  };
  for (const error of errors) visit(error, '');
  const unique = [...new Set(messages)];
  return `Invalid request body: ${unique.join('; ')}.`;
}
