import { ConsoleConfig } from '../config/app-config';

/** What the console's script reads from its page: where the API is and how people sign in. */
export interface ConsoleSettings {
  /** The API's root, relative to the page's origin. */
  readonly apiBase: string;
  /** The "Sign in (development)" button: the development issuer is on and the caller is local. */
  readonly developmentSignIn: boolean;
  /** Microsoft Entra ID sign-in (MSAL), when configured. */
  readonly entra?: { clientId: string; authority: string; scopes: readonly string[] };
}

const SETTINGS_MARK = '<!--console-settings-->';

/**
 * The page with its settings as a JSON data block (not a script: the page's policy runs only the
 * console's own files). `<` is escaped so that no value can close the block.
 */
export function consolePage(template: string, settings: ConsoleSettings): string {
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  return template.replace(
    SETTINGS_MARK,
    `<script type="application/json" id="console-settings">${json}</script>`,
  );
}

/**
 * The console's policy: its own scripts and styles only; calls to this origin, and to the
 * identity provider when Entra ID sign-in is configured (MSAL redeems the code there).
 */
export function consolePolicy(config: ConsoleConfig): string {
  const authority = config.entra ? ` ${new URL(config.entra.authority).origin}` : '';
  return (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    `connect-src 'self'${authority}; frame-src 'self'${authority}; frame-ancestors 'none'; ` +
    "base-uri 'none'; form-action 'self'; object-src 'none'"
  );
}
