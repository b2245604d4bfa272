import { negotiateCollection, NotAcceptableError } from './format';
import { attachmentDisposition, csvCell, csvLine, fileChunks, ndjsonLine } from './tabular';

describe('CSV cells and lines (RFC 4180)', () => {
  it('writes strings as they are, quoting commas, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
  });

  it("escapes what a spreadsheet would run as a formula with a leading ', never a number", () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(1.5)).toBe('1.5');
  });

  it('writes null as empty, Booleans as JSON, complex and collection values as JSON text', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(['a', 'b'])).toBe('"[""a"",""b""]"');
    expect(csvCell({ n: 1 })).toBe('{""n"":1}'.replace(/^/, '"').replace(/$/, '"'));
  });

  it('ends each record with CRLF; NDJSON with LF', () => {
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
    expect(ndjsonLine({ a: 'x\ny' })).toBe('{"a":"x\\ny"}\n');
  });

  it('suggests a safe file name, and the full one for clients that read filename*', () => {
    expect(attachmentDisposition('Admins of "all" customers', 'csv')).toBe(
      `attachment; filename="Admins-of-all-customers.csv"; filename*=UTF-8''Admins%20of%20%22all%22%20customers.csv`,
    );
    expect(attachmentDisposition('---', 'ndjson')).toMatch(/^attachment; filename="export.ndjson"/);
  });
});

describe('negotiating a collection', () => {
  it('answers a file when $format names one, or Accept prefers one to JSON', () => {
    expect(negotiateCollection(undefined, 'csv')).toEqual({ file: 'csv' });
    expect(negotiateCollection(undefined, 'NDJSON')).toEqual({ file: 'ndjson' });
    expect(negotiateCollection(undefined, 'text/csv')).toEqual({ file: 'csv' });
    expect(negotiateCollection('text/csv', undefined)).toEqual({ file: 'csv' });
    expect(negotiateCollection('application/x-ndjson', undefined)).toEqual({ file: 'ndjson' });
    expect(negotiateCollection('text/csv;q=0.9, application/json', undefined)).toEqual({
      level: 'minimal',
    });
    expect(negotiateCollection('*/*', undefined)).toEqual({ level: 'minimal' });
    expect(negotiateCollection(undefined, 'json;odata.metadata=none')).toEqual({ level: 'none' });
  });

  it('is 406 for what it cannot answer', () => {
    expect(() => negotiateCollection('application/xml', undefined)).toThrow(NotAcceptableError);
    expect(() => negotiateCollection(undefined, 'xml')).toThrow(NotAcceptableError);
  });
});

describe('a file in chunks', () => {
  async function* records(): AsyncGenerator<Record<string, unknown>> {
    yield { a: 1, b: 'x' };
    yield { a: 2, c: true };
    yield { a: 3 };
  }

  async function collect(chunks: AsyncGenerator<string>): Promise<string[]> {
    const all: string[] = [];
    for await (const chunk of chunks) all.push(chunk);
    return all;
  }

  it('writes the BOM and header, then the columns of each record, so many records a chunk', async () => {
    expect(await collect(fileChunks(records(), 'csv', ['a', 'b'], (r) => r, 2))).toEqual([
      '\uFEFFa,b\r\n',
      '1,x\r\n2,\r\n',
      '3,\r\n',
    ]);
  });

  it('writes NDJSON records whole', async () => {
    expect((await collect(fileChunks(records(), 'ndjson', [], (r) => r))).join('')).toBe(
      '{"a":1,"b":"x"}\n{"a":2,"c":true}\n{"a":3}\n',
    );
  });
});
