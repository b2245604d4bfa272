/**
 * The `Prefer` request header (RFC 7240; OData Protocol 4.01 §8.2.8): a comma-separated list of
 * preferences, each `name[=value]` with optional `;parameters`. Names are case-insensitive.
 */
export interface Preferences {
  readonly return?: 'minimal' | 'representation';
  /** `odata.maxpagesize` (OData Protocol 4.01 §8.2.8.3), or `maxpagesize`. */
  readonly maxPageSize?: number;
  /**
   * `odata.continue-on-error` (§8.2.8.3; `continue-on-error` in 4.01): a batch goes on past a
   * failed request. `=false` says the default, stopping at the first one.
   */
  readonly continueOnError: boolean;
  /** `wait=N` (RFC 7240 §4.3): seconds the client would wait for a long-running action. */
  readonly wait?: number;
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  let returnPreference: Preferences['return'];
  let maxPageSize: number | undefined;
  let continueOnError: boolean | undefined;
  let wait: number | undefined;
  for (const value of values) {
    for (const preference of value.split(',')) {
      const [token] = preference.split(';');
      const [rawName, rawValue = ''] = token.split('=');
      const name = rawName.trim().toLowerCase();
      const setting = rawValue
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
      // RFC 7240 §2: when a preference is given twice, the first one counts.
      if (name === 'return' && returnPreference === undefined) {
        if (setting === 'minimal' || setting === 'representation') returnPreference = setting;
      }
      if (
        (name === 'odata.continue-on-error' || name === 'continue-on-error') &&
        continueOnError === undefined
      ) {
        continueOnError = setting !== 'false';
      }
      if (name === 'wait' && wait === undefined && /^\d{1,9}$/.test(setting))
        wait = Number(setting);
      if ((name === 'odata.maxpagesize' || name === 'maxpagesize') && maxPageSize === undefined) {
        if (/^\d{1,9}$/.test(setting) && Number(setting) > 0) maxPageSize = Number(setting);
      }
    }
  }
  return {
    return: returnPreference,
    maxPageSize,
    continueOnError: continueOnError ?? false,
    wait,
  };
}
