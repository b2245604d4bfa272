import { isGuid, isInt32, parseDateTimeOffset } from './primitive-formats';

describe('Edm primitive formats', () => {
  it.each([
    ['7b7246f6-46f6-7b72-f646-727bf646727b', true],
    ['7B7246F6-46F6-7B72-F646-727BF646727B', true],
    ['7b7246f646f67b72f646727bf646727b', false],
    ['{7b7246f6-46f6-7b72-f646-727bf646727b}', false],
    ['Guid', false],
    [42, false],
  ])('isGuid(%p) is %p', (value, expected) => expect(isGuid(value)).toBe(expected));

  it.each([
    [0, true],
    [-2147483648, true],
    [2147483647, true],
    [2147483648, false],
    [1.5, false],
    ['1', false],
  ])('isInt32(%p) is %p', (value, expected) => expect(isInt32(value)).toBe(expected));

  it.each([
    ['2026-01-31T12:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00+01:00', '2026-01-31T11:00:00.000Z'],
    ['2026-01-31T12:00:00.1234567-02:30', '2026-01-31T14:30:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('parses the DateTimeOffset %s', (text, iso) => {
    expect(parseDateTimeOffset(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-01-31T12:00:00',
    '2026-01-31',
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-31T24:00:00Z',
    '2026-01-31T12:00:60Z',
    '0000-01-01T00:00:00Z',
    'String (timestamp)',
    '',
  ])('rejects %p as a DateTimeOffset', (text) => expect(parseDateTimeOffset(text)).toBeUndefined());
});
