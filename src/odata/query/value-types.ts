import { PropertyDefinition, isEnumProperty, qualifiedName } from '../../edm/model';
import {
  canonicalTimeOfDay,
  durationMs,
  isDate,
  isGuid,
  parseDateTimeOffset,
  toUtcDateTimeOffset,
} from '../../edm/primitive-formats';
import { CheckedExpression, FunctionName, ValueType } from './checked-query';

/**
 * The types of checked expressions: the functions and their signatures, which types are ordered
 * or numeric, a property's value type, and the coercion of literals in comparisons.
 */

export interface FunctionSignature {
  readonly params: readonly ValueType[][];
  readonly optional?: number;
  readonly returns: ValueType;
}

export const STRING: ValueType[] = ['Edm.String', 'untyped'];
export const DATE_TIME: ValueType[] = ['Edm.DateTimeOffset', 'Edm.Date', 'untyped'];
export const INTEGER: ValueType[] = ['Edm.Int32', 'untyped'];

// URL Conventions 4.01 §5.1.1.5 (string functions) and §5.1.1.8 (date and time functions).
export const FUNCTIONS: Record<FunctionName, FunctionSignature> = {
  contains: { params: [STRING, STRING], returns: 'Edm.Boolean' },
  startswith: { params: [STRING, STRING], returns: 'Edm.Boolean' },
  endswith: { params: [STRING, STRING], returns: 'Edm.Boolean' },
  tolower: { params: [STRING], returns: 'Edm.String' },
  toupper: { params: [STRING], returns: 'Edm.String' },
  trim: { params: [STRING], returns: 'Edm.String' },
  length: { params: [STRING], returns: 'Edm.Int32' },
  indexof: { params: [STRING, STRING], returns: 'Edm.Int32' },
  substring: { params: [STRING, INTEGER, INTEGER], optional: 1, returns: 'Edm.String' },
  concat: { params: [STRING, STRING], returns: 'Edm.String' },
  year: { params: [DATE_TIME], returns: 'Edm.Int32' },
  month: { params: [DATE_TIME], returns: 'Edm.Int32' },
  day: { params: [DATE_TIME], returns: 'Edm.Int32' },
  hour: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Int32' },
  minute: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Int32' },
  second: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Int32' },
  date: { params: [['Edm.DateTimeOffset', 'untyped']], returns: 'Edm.Date' },
};

export const ORDERED_TYPES = new Set<ValueType>([
  'Edm.String',
  'Edm.Guid',
  'Edm.Int32',
  'Edm.Double',
  'Edm.DateTimeOffset',
  'Edm.Date',
  'Edm.TimeOfDay',
  'untyped',
]);

export function typeName(type: ValueType): string {
  return typeof type === 'string' ? type : type.enum;
}

export function isNumeric(type: ValueType): boolean {
  return type === 'Edm.Int32' || type === 'Edm.Double';
}

/** The value type of a (single-valued) property. */
export function propertyType(property: PropertyDefinition): ValueType {
  if (isEnumProperty(property)) {
    return { enum: qualifiedName(property.type), members: property.type.members };
  }
  return property.type as ValueType;
}

/**
 * Checks parsed query options against the model (URL Conventions 4.01 §5.1): names resolve to
 * declared properties (dynamic ones at the top level of the open type), operand types agree,
 * secrets are out of reach. Every failure is an InvalidQueryError naming the problem.
 */

export function typeOf(expression: CheckedExpression): ValueType {
  switch (expression.kind) {
    case 'literal':
    case 'value':
    case 'function':
    case 'arithmetic':
    case 'negate':
      return expression.type;
    case 'now':
      return 'Edm.DateTimeOffset';
    default:
      return 'Edm.Boolean';
  }
}

/**
 * Literals whose OData type differs from the other side's but whose meaning is clear: a string
 * naming an enum member, a quoted GUID, a quoted date-time (Graph clients send both), an Int32
 * literal where a Double is compared.
 */
export function coerceLiteral(expression: CheckedExpression, target: ValueType): CheckedExpression {
  if (expression.kind !== 'literal' || expression.type !== 'Edm.String') return expression;
  const text = expression.value as string;
  if (typeof target === 'object') return { ...expression, type: target };
  if (target === 'Edm.Guid' && isGuid(text))
    return { ...expression, type: 'Edm.Guid', value: text.toLowerCase() };
  if (target === 'Edm.DateTimeOffset') {
    const instant = parseDateTimeOffset(text);
    if (instant)
      return { ...expression, type: 'Edm.DateTimeOffset', value: toUtcDateTimeOffset(instant) };
  }
  if (target === 'Edm.Date' && isDate(text)) return { ...expression, type: 'Edm.Date' };
  const time = target === 'Edm.TimeOfDay' ? canonicalTimeOfDay(text) : undefined;
  if (time) return { ...expression, type: 'Edm.TimeOfDay', value: time };
  if (target === 'Edm.Duration' && durationMs(text) !== undefined) {
    return { ...expression, type: 'Edm.Duration', value: text.toUpperCase() };
  }
  return expression;
}

export function comparable(left: ValueType, right: ValueType): boolean {
  if (left === 'untyped' || right === 'untyped') return true;
  if (isNumeric(left) && isNumeric(right)) return true;
  if (typeof left === 'object' || typeof right === 'object') {
    return typeof left === 'object' && typeof right === 'object' && left.enum === right.enum;
  }
  return left === right;
}
