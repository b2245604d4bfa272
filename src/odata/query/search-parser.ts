import { InvalidQueryError } from './invalid-query.error';
import { MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_NODES } from './expression-parser';
import { SearchExpression } from './syntax-tree';

const OPTION = '$search';

type SearchToken =
  | { kind: 'word' | 'phrase'; text: string; position: number }
  | { kind: 'and' | 'or' | 'not' | '(' | ')' | 'end'; position: number };

/**
 * `$search` (URL Conventions 4.01 §5.1.7; ABNF `searchExpr`): words and "quoted phrases", combined
 * with NOT, AND (also implied by juxtaposition) and OR, in that order of precedence, and parentheses.
 * The operators are upper case, as in the ABNF; a lower-case `and` is a word.
 */
export function parseSearch(text: string): SearchExpression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new InvalidQueryError(
      OPTION,
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
  }
  const tokens = tokenizeSearch(text);
  if (tokens.length > MAX_EXPRESSION_NODES) {
    throw new InvalidQueryError(
      OPTION,
      `the expression has more than ${MAX_EXPRESSION_NODES} parts`,
    );
  }
  let index = 0;
  let depth = 0;
  const peek = () => tokens[index];
  const fail = (detail: string, position: number): never => {
    throw new InvalidQueryError(OPTION, detail, position);
  };

  const parseOr = (): SearchExpression => {
    depth += 1;
    if (depth > 32) fail('the expression is nested too deeply', peek().position);
    let left = parseAnd();
    while (peek().kind === 'or') {
      index += 1;
      left = { kind: 'or', left, right: parseAnd(), position: left.position };
    }
    depth -= 1;
    return left;
  };
  const parseAnd = (): SearchExpression => {
    let left = parseNot();
    for (;;) {
      const token = peek();
      if (token.kind === 'and') {
        index += 1;
      } else if (!['word', 'phrase', 'not', '('].includes(token.kind)) {
        return left;
      }
      left = { kind: 'and', left, right: parseNot(), position: left.position };
    }
  };
  const parseNot = (): SearchExpression => {
    const token = peek();
    if (token.kind === 'not') {
      index += 1;
      return { kind: 'not', operand: parseNot(), position: token.position };
    }
    return parsePrimary();
  };
  const parsePrimary = (): SearchExpression => {
    const token = tokens[index];
    index += 1;
    if (token.kind === 'word' || token.kind === 'phrase') {
      return { kind: 'term', text: token.text, position: token.position };
    }
    if (token.kind === '(') {
      const inner = parseOr();
      if (peek().kind !== ')') fail("')' was expected", peek().position);
      index += 1;
      return inner;
    }
    return fail(
      token.kind === 'end'
        ? 'a search term was expected'
        : `unexpected ${token.kind.toUpperCase()}`,
      token.position,
    );
  };

  const expression = parseOr();
  if (peek().kind !== 'end') fail(`unexpected ${peek().kind}`, peek().position);
  return expression;
}

function tokenizeSearch(text: string): SearchToken[] {
  const tokens: SearchToken[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === ' ' || char === '\t') {
      index += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char, position: index });
      index += 1;
    } else if (char === '"') {
      // searchPhrase = quotation-mark 1*( qchar-no-AMP-DQUOTE / SP ) quotation-mark, with \" and \\ escapes
      let phrase = '';
      let end = index + 1;
      for (; end < text.length && text[end] !== '"'; end += 1) {
        if (text[end] === '\\' && (text[end + 1] === '"' || text[end + 1] === '\\')) end += 1;
        phrase += text[end];
      }
      if (end >= text.length)
        throw new InvalidQueryError(OPTION, 'the phrase has no closing quote', index);
      if (phrase.trim() === '') throw new InvalidQueryError(OPTION, 'the phrase is empty', index);
      const after = text[end + 1];
      if (after !== undefined && !' \t()'.includes(after)) {
        throw new InvalidQueryError(
          OPTION,
          'a phrase must be followed by a space or a parenthesis',
          end + 1,
        );
      }
      tokens.push({ kind: 'phrase', text: phrase, position: index });
      index = end + 1;
    } else {
      let end = index;
      while (end < text.length && !' \t()"'.includes(text[end])) end += 1;
      const word = text.slice(index, end);
      if (word === 'AND' || word === 'OR' || word === 'NOT') {
        tokens.push({ kind: word.toLowerCase() as 'and', position: index });
      } else {
        tokens.push({ kind: 'word', text: word, position: index });
      }
      index = end;
    }
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}
