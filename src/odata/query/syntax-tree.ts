/**
 * The syntax tree of OData query expressions, as parsed from the URL (before checking against the
 * model). Every node carries the 0-based position in the option's text where it starts, so that
 * errors can point at it.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type LogicalOperator = 'and' | 'or';
export type ArithmeticOperator = 'add' | 'sub' | 'mul' | 'div' | 'divby' | 'mod';

export type LiteralValue =
  | { readonly type: 'null' }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'guid'; readonly value: string }
  | { readonly type: 'dateTimeOffset'; readonly value: string }
  | { readonly type: 'date'; readonly value: string }
  | { readonly type: 'number'; readonly value: number; readonly text: string }
  /** `Namespace.Type'value'`: an enum member, or another typed literal (duration, binary, ...). */
  | { readonly type: 'typed'; readonly typeName: string; readonly value: string };

export type Expression =
  | { readonly kind: 'literal'; readonly literal: LiteralValue; readonly position: number }
  | {
      /** A path of member names: `name`, `result/isSuccess`, or `e/tenantId` inside a lambda. */
      readonly kind: 'member';
      readonly path: readonly PathSegment[];
      readonly position: number;
    }
  | {
      readonly kind: 'lambda';
      readonly operator: 'any' | 'all';
      /** The collection the lambda ranges over. */
      readonly collection: readonly PathSegment[];
      readonly variable?: string;
      readonly predicate?: Expression;
      readonly position: number;
    }
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly Expression[];
      readonly position: number;
    }
  | {
      readonly kind: 'comparison';
      readonly operator: ComparisonOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly position: number;
    }
  | {
      readonly kind: 'logical';
      readonly operator: LogicalOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly position: number;
    }
  | {
      readonly kind: 'arithmetic';
      readonly operator: ArithmeticOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly position: number;
    }
  | { readonly kind: 'not'; readonly operand: Expression; readonly position: number }
  | { readonly kind: 'negate'; readonly operand: Expression; readonly position: number }
  | {
      readonly kind: 'in';
      readonly operand: Expression;
      readonly list: readonly Expression[];
      readonly position: number;
    };

export interface PathSegment {
  readonly name: string;
  readonly position: number;
}

export interface OrderByItem {
  readonly expression: Expression;
  readonly direction: 'asc' | 'desc';
}

export interface SelectItem {
  /** `*`, or a path of property names. */
  readonly path: readonly PathSegment[] | '*';
  readonly position: number;
}

export type SearchExpression =
  | { readonly kind: 'term'; readonly text: string; readonly position: number }
  | { readonly kind: 'not'; readonly operand: SearchExpression; readonly position: number }
  | {
      readonly kind: 'and' | 'or';
      readonly left: SearchExpression;
      readonly right: SearchExpression;
      readonly position: number;
    };
