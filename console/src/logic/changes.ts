/**
 * The top-level properties of `after` that differ from `before` (compared as JSON): what a PATCH
 * sends, so that saving a new description does not send, and so touch, what a running
 * operation keeps as it is.
 */
export function changedProperties(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(after).filter(
      ([name, value]) => JSON.stringify(value) !== JSON.stringify(before[name]),
    ),
  );
}
