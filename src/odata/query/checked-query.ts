import { EntityType } from '../../edm/model';
import { ArithmeticOperator, ComparisonOperator, LogicalOperator } from './syntax-tree';

/**
 * The checked tree: the syntax tree after names were resolved against the model and types checked.
 * Property references name storage only through the model (a column and a JSON path of declared
 * names), or, for dynamic properties, a validated identifier that the translator binds as a
 * parameter. Nothing here is request text pasted into SQL.
 */

/** `untyped`: a dynamic property, whose type is whatever the stored JSON holds. */
export type ValueType =
  | 'Edm.String'
  | 'Edm.Guid'
  | 'Edm.Boolean'
  | 'Edm.Int32'
  | 'Edm.Double'
  | 'Edm.DateTimeOffset'
  | 'Edm.Date'
  | 'Edm.TimeOfDay'
  | 'Edm.Duration'
  | 'untyped'
  | 'null'
  | { readonly enum: string; readonly members: readonly string[] };

export type ValueSource =
  /**
   * A column of the entity's table (from the model), or, with `row`, of the row a navigation
   * lambda's variable ranges over (`results/any(r: r/isSuccess)`).
   */
  | {
      readonly kind: 'column';
      readonly column: string;
      readonly jsonPath: readonly string[];
      readonly row?: string;
    }
  /** A dynamic property inside the dynamic-properties JSON column. */
  | {
      readonly kind: 'dynamic';
      readonly column: string;
      readonly name: string;
      readonly row?: string;
    }
  /** The current item of a lambda's collection. */
  | {
      readonly kind: 'lambdaItem';
      readonly variable: string;
      readonly jsonPath: readonly string[];
    }
  /**
   * A column of the entity a single-valued navigation leads to (`tenant/displayName`): the row
   * of `target` whose key this entity's `foreignKey` holds, within the same tenant; null when
   * there is none.
   */
  | {
      readonly kind: 'related';
      readonly target: EntityType;
      readonly foreignKey: string;
      readonly column: string;
      readonly jsonPath: readonly string[];
    };

export type CheckedExpression =
  | {
      readonly kind: 'literal';
      readonly type: ValueType;
      readonly value: string | number | boolean | null;
    }
  | { readonly kind: 'value'; readonly type: ValueType; readonly source: ValueSource }
  | { readonly kind: 'now' }
  | {
      readonly kind: 'function';
      readonly name: FunctionName;
      readonly type: ValueType;
      readonly args: readonly CheckedExpression[];
    }
  | {
      readonly kind: 'comparison';
      readonly operator: ComparisonOperator;
      readonly left: CheckedExpression;
      readonly right: CheckedExpression;
    }
  | {
      readonly kind: 'logical';
      readonly operator: LogicalOperator;
      readonly left: CheckedExpression;
      readonly right: CheckedExpression;
    }
  | {
      readonly kind: 'arithmetic';
      readonly operator: ArithmeticOperator;
      readonly type: ValueType;
      readonly left: CheckedExpression;
      readonly right: CheckedExpression;
    }
  | { readonly kind: 'not'; readonly operand: CheckedExpression }
  | { readonly kind: 'negate'; readonly type: ValueType; readonly operand: CheckedExpression }
  | {
      readonly kind: 'in';
      readonly operand: CheckedExpression;
      readonly list: readonly (CheckedExpression & { kind: 'literal' })[];
    }
  /** A Boolean value used as a condition (`result/isSuccess`). */
  | { readonly kind: 'isTrue'; readonly operand: CheckedExpression }
  | {
      readonly kind: 'lambda';
      readonly operator: 'any' | 'all';
      readonly collection: ValueSource;
      readonly variable: string;
      readonly predicate?: CheckedExpression;
    }
  /**
   * any/all over a collection navigation: the rows of `target` whose `foreignKey` holds this
   * entity's `principalKey`, within the same tenant (`results/any(r: r/isSuccess eq false)`).
   */
  | {
      readonly kind: 'navigationLambda';
      readonly operator: 'any' | 'all';
      readonly target: EntityType;
      readonly foreignKey: string;
      readonly principalKey: string;
      readonly variable: string;
      readonly predicate?: CheckedExpression;
    };

export type FunctionName =
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'tolower'
  | 'toupper'
  | 'length'
  | 'indexof'
  | 'substring'
  | 'trim'
  | 'concat'
  | 'year'
  | 'month'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second'
  | 'date';

/** A key of $orderby (or of the implicit order), as a value source and direction. */
export interface SortKey {
  readonly source: ValueSource;
  readonly type: ValueType;
  readonly direction: 'asc' | 'desc';
  /** Whether the value can be null (JSON paths, dynamic and nullable properties). */
  readonly nullable: boolean;
  /** The path as written, for the context URL and error messages. */
  readonly path: string;
}

/** A selected property path: a top-level property and optionally one sub-property. */
export interface SelectedPath {
  readonly property: string;
  readonly subProperty?: string;
}

export type CheckedSearch =
  | { readonly kind: 'term'; readonly text: string }
  | { readonly kind: 'not'; readonly operand: CheckedSearch }
  | { readonly kind: 'and' | 'or'; readonly left: CheckedSearch; readonly right: CheckedSearch };

/** Everything a collection request asks for, checked against the model. */
export interface CollectionQuery {
  readonly filter?: CheckedExpression;
  readonly search?: CheckedSearch;
  /** Always ends with the key, so the order is total. */
  readonly orderBy: readonly SortKey[];
  /** Undefined: every property. */
  readonly select?: readonly SelectedPath[];
  readonly top?: number;
  readonly skip?: number;
  readonly count: boolean;
}
