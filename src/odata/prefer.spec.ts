import { parsePrefer } from './prefer';

describe('parsePrefer', () => {
  it.each([
    [undefined, undefined],
    ['return=minimal', 'minimal'],
    ['RETURN = "representation"', 'representation'],
    ['odata.maxpagesize=10, return=minimal', 'minimal'],
    ['return=minimal, return=representation', 'minimal'],
    [['respond-async', 'return=minimal'], 'minimal'],
    ['return=everything', undefined],
  ])('reads the return preference of %p as %p', (header, expected) => {
    expect(parsePrefer(header).return).toBe(expected);
  });
});
