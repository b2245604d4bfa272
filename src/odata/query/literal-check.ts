import {
  EntityType,
  isComplexProperty,
  isEnumProperty,
  PropertyDefinition,
  qualifiedName,
} from '../../edm/model';
import { parseDateTimeOffset, toUtcDateTimeOffset } from '../../edm/primitive-formats';
import { CheckedExpression } from './checked-query';
import { InvalidQueryError } from './invalid-query.error';
import { Expression } from './syntax-tree';
import { propertyType } from './value-types';

/** A literal of an expression, typed (enum literals by their type's qualified name). */
export function checkLiteral(
  entity: EntityType,
  expression: Expression & { kind: 'literal' },
  option: string,
): CheckedExpression {
  const literal = expression.literal;
  switch (literal.type) {
    case 'null':
      return { kind: 'literal', type: 'null', value: null };
    case 'boolean':
      return { kind: 'literal', type: 'Edm.Boolean', value: literal.value };
    case 'string':
      return { kind: 'literal', type: 'Edm.String', value: literal.value };
    case 'guid':
      return { kind: 'literal', type: 'Edm.Guid', value: literal.value.toLowerCase() };
    case 'number':
      return {
        kind: 'literal',
        type:
          Number.isInteger(literal.value) && !/[.eE]/.test(literal.text)
            ? 'Edm.Int32'
            : 'Edm.Double',
        value: literal.value,
      };
    case 'date':
      if (!parseDateTimeOffset(`${literal.value}T00:00:00Z`)) {
        throw new InvalidQueryError(option, `${literal.value} is not a date`, expression.position);
      }
      return { kind: 'literal', type: 'Edm.Date', value: literal.value };
    case 'dateTimeOffset': {
      const instant = parseDateTimeOffset(literal.value);
      if (!instant)
        throw new InvalidQueryError(
          option,
          `${literal.value} is not a valid DateTimeOffset`,
          expression.position,
        );
      return { kind: 'literal', type: 'Edm.DateTimeOffset', value: toUtcDateTimeOffset(instant) };
    }
    case 'typed': {
      const enumType = enumTypeNamed(entity, literal.typeName);
      if (!enumType) {
        throw new InvalidQueryError(
          option,
          `literals of type ${literal.typeName} are not supported`,
          expression.position,
        );
      }
      if (!enumType.members.includes(literal.value)) {
        throw new InvalidQueryError(
          option,
          `'${literal.value}' is not a member of ${enumType.enum} (${enumType.members.join(', ')})`,
          expression.position,
        );
      }
      return { kind: 'literal', type: enumType, value: literal.value };
    }
  }
}

function enumTypeNamed(
  entity: EntityType,
  name: string,
): { enum: string; members: readonly string[] } | undefined {
  const visit = (
    properties: Readonly<Record<string, PropertyDefinition>>,
  ): { enum: string; members: readonly string[] } | undefined => {
    for (const property of Object.values(properties)) {
      if (isEnumProperty(property) && qualifiedName(property.type) === name)
        return propertyType(property) as { enum: string; members: readonly string[] };
      if (isComplexProperty(property)) {
        const found = visit(property.type.properties);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(entity.properties);
}
