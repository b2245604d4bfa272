import { PublicClientApplication } from '@azure/msal-browser';

/**
 * Microsoft Entra ID sign-in with MSAL (authorization code with PKCE, redirect flow), loaded only
 * where CONSOLE_CLIENT_ID and CONSOLE_AUTHORITY are configured. MSAL keeps its own cache in
 * session storage; the access token goes to the console's session like a pasted one.
 */
export interface EntraSettings {
  readonly clientId: string;
  readonly authority: string;
  readonly scopes: readonly string[];
}

async function application(settings: EntraSettings): Promise<PublicClientApplication> {
  const app = new PublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      redirectUri: `${location.origin}/console`,
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await app.initialize();
  return app;
}

/** After the redirect back: the access token, if the person just signed in. */
export async function completeEntraSignIn(settings: EntraSettings): Promise<string | undefined> {
  const app = await application(settings);
  const result = await app.handleRedirectPromise();
  if (result?.accessToken) return result.accessToken;
  const account = app.getAllAccounts()[0];
  if (!account) return undefined;
  try {
    return (await app.acquireTokenSilent({ account, scopes: [...settings.scopes] })).accessToken;
  } catch {
    return undefined;
  }
}

export async function startEntraSignIn(settings: EntraSettings): Promise<void> {
  const app = await application(settings);
  await app.loginRedirect({ scopes: [...settings.scopes] });
}
