/** The statements box: one Graph request per line. */

export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where the API's 400 points in the statements ("Invalid operationDefinition.value at line 2,
 * column 11: …"), or nothing when it names no place.
 */
export function statementErrorPosition(message: string): TextPosition | undefined {
  const match = /operationDefinition\.value at line (\d+), column (\d+)/.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

/** The character offset of a line and column (both from 1) in a text, for placing the caret. */
export function offsetOf(text: string, position: TextPosition): number {
  const lines = text.split('\n');
  const line = Math.min(Math.max(position.line, 1), lines.length);
  let offset = 0;
  for (let index = 0; index < line - 1; index++) offset += lines[index].length + 1;
  return offset + Math.min(Math.max(position.column - 1, 0), lines[line - 1].length);
}

/** The statements as the API takes them: lines without surrounding blanks, empty ones dropped. */
export function normalizeStatements(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}
