import { Type as TransformType } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { DtoClass } from '../edm/entity-write';
import {
  acceptedTypeAnnotations,
  complexTypeAnnotation,
  entityTypeAnnotation,
} from '../edm/type-annotations';
import {
  ComplexType,
  CreateDefault,
  EntityType,
  PropertyDefinition,
  isComplexProperty,
  isEnumProperty,
  qualifiedName,
} from '../edm/model';
import { BoundAction } from '../edm/model-bound-operations';
import {
  GUID_PATTERN,
  INT32_MAX,
  INT32_MIN,
  isInt32,
  parseDateTimeOffset,
  isDate,
  canonicalTimeOfDay,
  durationMs,
} from '../edm/primitive-formats';

/**
 * Derives class-validator / class-transformer / OpenAPI classes from the model, so that request
 * validation and the Swagger schemas cannot drift from it.
 *
 * The classes are built at load time: a property decorator is just a function of (prototype, name),
 * so applying it in a loop is the same as writing it above a field by hand.
 */

/** Why a request DTO is built: the rules differ between create and update. */
export type WriteMode = 'create' | 'update';

const EXAMPLE_GUID = '00000000-0000-0000-0000-000000000000';

function namedClass(name: string): DtoClass {
  // The object-literal key gives the class its name, which Swagger uses as the schema name.
  return { [name]: class {} }[name];
}

function decorate(target: DtoClass, property: string, decorators: PropertyDecorator[]): void {
  for (const decorator of decorators) decorator(target.prototype, property);
}

function expectation(property: PropertyDefinition): string {
  if (isComplexProperty(property)) return `an object of type ${qualifiedName(property.type)}`;
  if (isEnumProperty(property))
    return `one of ${property.type.members.map((m) => `'${m}'`).join(', ')}`;
  if (property.guidFormat) return `a GUID string, like '${EXAMPLE_GUID}'`;
  switch (property.type) {
    case 'Edm.Guid':
      return `a Guid string, like '${EXAMPLE_GUID}'`;
    case 'Edm.Boolean':
      return 'a Boolean (true or false)';
    case 'Edm.Int32':
      return `an Int32 (an integer from ${INT32_MIN} to ${INT32_MAX})`;
    case 'Edm.DateTimeOffset':
      return "a DateTimeOffset string, like '2026-01-31T12:00:00Z'";
    case 'Edm.Date':
      return "a Date string, like '2026-01-31'";
    case 'Edm.TimeOfDay':
      return "a TimeOfDay string, like '06:30' or '06:30:00'";
    case 'Edm.Duration':
      return "a Duration string, like 'PT1H' or 'P1DT30M'";
    case 'Edm.String':
      return property.maxLength
        ? `a String of at most ${property.maxLength} characters`
        : 'a String';
  }
}

/** The primitive types checked by their lexical form, and the check's name. */
const LEXICAL_FORMS: Readonly<
  Record<
    'Edm.Int32' | 'Edm.DateTimeOffset' | 'Edm.Date' | 'Edm.TimeOfDay' | 'Edm.Duration',
    { readonly name: string; readonly valid: (value: unknown) => boolean }
  >
> = {
  'Edm.Int32': { name: 'isInt32', valid: isInt32 },
  'Edm.DateTimeOffset': {
    name: 'isDateTimeOffset',
    valid: (value) => parseDateTimeOffset(value) !== undefined,
  },
  'Edm.Date': { name: 'isDate', valid: isDate },
  'Edm.TimeOfDay': {
    name: 'isTimeOfDay',
    valid: (value) => canonicalTimeOfDay(value) !== undefined,
  },
  'Edm.Duration': { name: 'isDuration', valid: (value) => durationMs(value) !== undefined },
};

function valueValidators(property: PropertyDefinition, dtoFor: (t: ComplexType) => DtoClass) {
  const each = Boolean(property.collection);
  const options: ValidationOptions = {
    each,
    message: each
      ? `each item must be ${expectation(property)}`
      : `must be ${expectation(property)}`,
  };
  const decorators: PropertyDecorator[] = [];
  if (each) decorators.push(IsArray({ message: `must be an array of ${expectation(property)}` }));
  if (isComplexProperty(property)) {
    const nested = dtoFor(property.type);
    decorators.push(
      IsObject(options),
      ValidateNested(options),
      TransformType(() => nested),
    );
    return decorators;
  }
  if (isEnumProperty(property)) {
    decorators.push(IsIn([...property.type.members], options));
    return decorators;
  }
  switch (property.type) {
    case 'Edm.String':
      decorators.push(IsString(options));
      if (property.maxLength) decorators.push(MaxLength(property.maxLength, options));
      if (property.guidFormat) decorators.push(Matches(GUID_PATTERN, options));
      break;
    case 'Edm.Guid':
      decorators.push(Matches(GUID_PATTERN, options));
      break;
    case 'Edm.Boolean':
      decorators.push(IsBoolean(options));
      break;
    default: {
      const lexical = LEXICAL_FORMS[property.type];
      decorators.push(
        ValidateBy({ name: lexical.name, validator: { validate: lexical.valid } }, options),
      );
    }
  }
  return decorators;
}

function presenceValidators(
  name: string,
  property: PropertyDefinition,
  mode: WriteMode | 'nested',
): PropertyDecorator[] {
  if (mode === 'create' && property.required) {
    return [IsDefined({ message: `is required and must be ${expectation(property)}` })];
  }
  if (property.required) {
    // On update a required property may be left out, but not set to null.
    return [ValidateIf((dto: Record<string, unknown>) => dto[name] !== undefined)];
  }
  return [IsOptional()];
}

function swaggerOptions(
  property: PropertyDefinition,
  required: boolean,
  dtoFor: (t: ComplexType) => DtoClass,
): ApiPropertyOptions {
  const base = {
    required,
    isArray: Boolean(property.collection),
    nullable: !property.required && !property.collection,
    readOnly: property.computed || property.readOnly || undefined,
    writeOnly: property.secret || undefined,
    description:
      [property.description, describeDefault(property.createDefault)].filter(Boolean).join(' ') ||
      undefined,
  };
  if (isComplexProperty(property)) {
    const nested = dtoFor(property.type);
    return { ...base, type: () => nested };
  }
  if (isEnumProperty(property)) {
    return { ...base, enum: [...property.type.members], enumName: property.type.name };
  }
  switch (property.type) {
    case 'Edm.Guid':
      return { ...base, type: String, format: 'uuid', example: EXAMPLE_GUID };
    case 'Edm.Boolean':
      return { ...base, type: Boolean };
    case 'Edm.Int32':
      return { ...base, type: 'integer', format: 'int32' };
    case 'Edm.DateTimeOffset':
      return { ...base, type: String, format: 'date-time' };
    case 'Edm.Date':
      return { ...base, type: String, format: 'date' };
    case 'Edm.TimeOfDay':
      return { ...base, type: String, format: 'time', example: '06:30:00' };
    case 'Edm.Duration':
      return { ...base, type: String, format: 'duration', example: 'PT1H' };
    case 'Edm.String':
      return {
        ...base,
        type: String,
        maxLength: property.maxLength,
        format: property.guidFormat ? 'uuid' : undefined,
      };
  }
}

/** What the OpenAPI document says of a create default. */
function describeDefault(createDefault: CreateDefault | undefined): string | undefined {
  if (createDefault === undefined) return undefined;
  if (createDefault === 'callerTenant') return "Defaults to the caller's tenant (the token's tid).";
  if (createDefault === 'callerUser') return "Defaults to the caller's user (the token's oid).";
  if (createDefault === 'newGuid') return 'Defaults to a new GUID.';
  return `Defaults to ${JSON.stringify(createDefault.value)}.`;
}

function typeAnnotationProperty(
  target: DtoClass,
  accepted: string[],
  example: string,
  forRequest: boolean,
): void {
  const decorators: PropertyDecorator[] = [
    ApiProperty({ name: '@odata.type', required: false, type: String, example }),
  ];
  if (forRequest) {
    decorators.push(
      IsOptional(),
      IsIn(accepted, { message: `must name the type ${accepted[0]} (with or without '#')` }),
    );
  }
  decorate(target, '@odata.type', decorators);
}

/** Request DTO classes for the complex types, one per type, shared by create and update. */
export function buildComplexRequestDtos(): (type: ComplexType) => DtoClass {
  const classes = new Map<string, DtoClass>();
  const dtoFor = (type: ComplexType): DtoClass => {
    const known = classes.get(qualifiedName(type));
    if (known) return known;
    const dto = namedClass(`${type.name}Input`);
    classes.set(qualifiedName(type), dto);
    typeAnnotationProperty(dto, acceptedTypeAnnotations(type), complexTypeAnnotation(type), true);
    for (const [name, property] of Object.entries(type.properties)) {
      if (property.computed) continue;
      decorate(dto, name, [
        ...presenceValidators(name, property, 'nested'),
        ...valueValidators(property, dtoFor),
        ApiProperty(swaggerOptions(property, false, dtoFor)),
      ]);
    }
    return dto;
  };
  return dtoFor;
}

/**
 * The request body DTO of the entity type for create or update. Computed and read-only properties
 * are left out.
 */
export function buildEntityRequestDto(
  entity: EntityType,
  mode: WriteMode,
  dtoFor: (t: ComplexType) => DtoClass,
  className: string,
  /** Required properties that may be left out (a navigation implies them). */
  implied: ReadonlySet<string> = new Set(),
): DtoClass {
  const dto = namedClass(className);
  typeAnnotationProperty(dto, acceptedTypeAnnotations(entity), entityTypeAnnotation(entity), true);
  for (const [name, property] of Object.entries(entity.properties)) {
    if (property.computed || property.readOnly) continue;
    // Implied by a navigation, or filled in by the service: may be left out, never null.
    const optional = implied.has(name) || property.createDefault !== undefined;
    const required = mode === 'create' && Boolean(property.required) && !optional;
    decorate(dto, name, [
      ...presenceValidators(name, property, optional ? 'update' : mode),
      ...valueValidators(property, dtoFor),
      ApiProperty(swaggerOptions(property, required, dtoFor)),
    ]);
  }
  return dto;
}

/** The request body DTO of a bound action: its parameters, each required. */
export function buildActionRequestDto(
  action: BoundAction,
  dtoFor: (t: ComplexType) => DtoClass,
  className: string,
): DtoClass {
  const dto = namedClass(className);
  for (const parameter of action.parameters ?? []) {
    const property: PropertyDefinition = { type: parameter.type, required: true };
    decorate(dto, parameter.name, [
      ...presenceValidators(parameter.name, property, 'create'),
      ...valueValidators(property, dtoFor),
      ApiProperty(swaggerOptions(property, true, dtoFor)),
    ]);
  }
  return dto;
}

/**
 * Response classes, for the OpenAPI document only: responses are shaped by the response mapper,
 * never by serialising these. Secret properties have no field here.
 */
const responseClasses = new Map<string, DtoClass>();

/** The response class of a complex type (shared by every entity type: Swagger names a schema by its class name). */
function responseDtoFor(type: ComplexType): DtoClass {
  const known = responseClasses.get(qualifiedName(type));
  if (known) return known;
  const dto = namedClass(type.name);
  responseClasses.set(qualifiedName(type), dto);
  typeAnnotationProperty(dto, [], complexTypeAnnotation(type), false);
  for (const [name, property] of Object.entries(type.properties)) {
    if (property.secret) continue;
    decorate(dto, name, [ApiProperty(swaggerOptions(property, false, responseDtoFor))]);
  }
  return dto;
}

/** The response class of a collection of a complex type (what a function returns). */
export function buildComplexCollectionResponseDto(type: ComplexType): DtoClass {
  const collectionDto = namedClass(`${type.name}Collection`);
  decorate(collectionDto, '@odata.context', [
    ApiProperty({ name: '@odata.context', type: String }),
  ]);
  decorate(collectionDto, 'value', [
    ApiProperty({ type: () => responseDtoFor(type), isArray: true }),
  ]);
  return collectionDto;
}

export function buildResponseDtos(entity: EntityType): {
  entity: DtoClass;
  collection: DtoClass;
} {
  const dtoFor = responseDtoFor;

  const entityDto = namedClass(entity.name);
  decorate(entityDto, '@odata.context', [
    ApiProperty({ name: '@odata.context', required: false, type: String }),
  ]);
  typeAnnotationProperty(entityDto, [], entityTypeAnnotation(entity), false);
  for (const [name, property] of Object.entries(entity.properties)) {
    if (property.secret) continue;
    decorate(entityDto, name, [ApiProperty(swaggerOptions(property, true, dtoFor))]);
  }

  const collectionDto = namedClass(`${entity.name}Collection`);
  decorate(collectionDto, '@odata.context', [
    ApiProperty({ name: '@odata.context', type: String }),
  ]);
  decorate(collectionDto, 'value', [ApiProperty({ type: () => entityDto, isArray: true })]);
  return { entity: entityDto, collection: collectionDto };
}
