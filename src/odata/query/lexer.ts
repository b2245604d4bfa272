import { InvalidQueryError } from './invalid-query.error';

/**
 * Tokens of OData expressions (URL Conventions 4.01 §5.1.1; ABNF `commonExpr` and the literal rules).
 * Works on the percent-decoded option value.
 */
export type Token =
  | { kind: 'identifier'; text: string; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'typed'; typeName: string; value: string; position: number }
  | { kind: 'guid'; text: string; position: number }
  | { kind: 'dateTimeOffset'; text: string; position: number }
  | { kind: 'date'; text: string; position: number }
  | { kind: 'number'; text: string; position: number }
  | { kind: 'punctuation'; text: '(' | ')' | ',' | '/' | ':' | '-'; position: number }
  | { kind: 'end'; position: number };

const GUID =
  /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w.-])/y;
const DATE_TIME_OFFSET =
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,12})?)?(?:Z|[+-]\d{2}:\d{2})(?![\w.:])/iy;
const DATE = /\d{4}-\d{2}-\d{2}(?![\w.:-])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
// odataIdentifier, optionally qualified (Namespace.Name) or a $-keyword such as $it.
const IDENTIFIER =
  /\$?[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]*(?:\.[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]*)*/uy;
const PUNCTUATION = new Set(['(', ')', ',', '/', ':', '-']);

export function tokenize(text: string, option: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = index;
    const found = pattern.exec(text);
    return found ? found[0] : undefined;
  };
  while (index < text.length) {
    const char = text[index];
    if (char === ' ' || char === '\t') {
      index += 1;
      continue;
    }
    const position = index;
    if (char === "'") {
      const { value, end } = readString(text, index, option);
      tokens.push({ kind: 'string', value, position });
      index = end;
      continue;
    }
    const literal =
      literalToken('guid', match(GUID)) ??
      literalToken('dateTimeOffset', match(DATE_TIME_OFFSET)) ??
      literalToken('date', match(DATE));
    if (literal) {
      tokens.push({ ...literal, position });
      index += literal.text.length;
      continue;
    }
    const number = match(NUMBER);
    // OData has no binary minus (it is `sub`), so a '-' before digits is always a number's sign.
    if (number) {
      tokens.push({ kind: 'number', text: number, position });
      index += number.length;
      continue;
    }
    const identifier = match(IDENTIFIER);
    if (identifier) {
      index += identifier.length;
      if (text[index] === "'") {
        // typed literal: enum members (Namespace.logLevel'full'), duration'P1D', binary'...', ...
        const { value, end } = readString(text, index, option);
        tokens.push({ kind: 'typed', typeName: identifier, value, position });
        index = end;
      } else {
        tokens.push({ kind: 'identifier', text: identifier, position });
      }
      continue;
    }
    if (PUNCTUATION.has(char)) {
      tokens.push({ kind: 'punctuation', text: char as '(', position });
      index += 1;
      continue;
    }
    throw new InvalidQueryError(option, `unexpected character '${char}'`, position);
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

function literalToken<K extends 'guid' | 'dateTimeOffset' | 'date'>(
  kind: K,
  text: string | undefined,
): { kind: K; text: string } | undefined {
  return text === undefined ? undefined : { kind, text };
}

/** string = SQUOTE *( SQUOTE-in-string / pchar-no-SQUOTE ) SQUOTE, where '' is one quote. */
function readString(text: string, start: number, option: string): { value: string; end: number } {
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    if (text[index] === "'") {
      if (text[index + 1] === "'") {
        value += "'";
        index += 2;
        continue;
      }
      return { value, end: index + 1 };
    }
    value += text[index];
    index += 1;
  }
  throw new InvalidQueryError(option, 'the string literal has no closing quote', start);
}
