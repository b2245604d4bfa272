import { InvalidQueryError } from './invalid-query.error';
import { Token } from './lexer';

/** A parser's position in a query option's tokens, and the steps every parser takes on them. */
export class TokenCursor {
  protected index = 0;

  constructor(
    protected readonly tokens: Token[],
    protected readonly option: string,
  ) {}

  peek(): Token {
    return this.tokens[this.index];
  }

  protected next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token.kind === 'identifier' && token.text.toLowerCase() === keyword) {
      this.index += 1;
      return true;
    }
    return false;
  }

  protected acceptOneOf(keywords: string[]): string | undefined {
    return keywords.find((keyword) => this.acceptKeyword(keyword));
  }

  acceptPunctuation(text: string): boolean {
    if (this.peekPunctuation(text)) {
      this.index += 1;
      return true;
    }
    return false;
  }

  protected peekPunctuation(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punctuation' && token.text === text;
  }

  expectPunctuation(text: string): void {
    const token = this.peek();
    if (!this.acceptPunctuation(text))
      this.fail(`'${text}' was expected, not ${describe(token)}`, token.position);
  }

  fail(detail: string, position: number): never {
    throw new InvalidQueryError(this.option, detail, position);
  }
}

/** A token as a message names it. */
export function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'identifier':
    case 'punctuation':
    case 'number':
    case 'guid':
    case 'date':
    case 'dateTimeOffset':
      return `'${token.text}'`;
    case 'string':
      return `the string '${token.value}'`;
    case 'typed':
      return `${token.typeName}'${token.value}'`;
  }
}
