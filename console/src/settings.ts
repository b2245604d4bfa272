/** What the service wrote into the page: where the API is and which sign-ins it offers. */
export interface ConsoleSettings {
  readonly apiBase: string;
  readonly developmentSignIn: boolean;
  readonly entra?: { clientId: string; authority: string; scopes: string[] };
}

export function readSettings(): ConsoleSettings {
  const block = document.getElementById('console-settings');
  const parsed = block?.textContent
    ? (JSON.parse(block.textContent) as Partial<ConsoleSettings>)
    : {};
  return {
    apiBase: parsed.apiBase ?? '/beta',
    developmentSignIn: !!parsed.developmentSignIn,
    entra: parsed.entra,
  };
}
