import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/ui';
import { messageOf } from '../components/hooks';
import { ConsoleSettings } from '../settings';

/**
 * Three ways in: paste a bearer token (as Swagger UI's Authorize), the development issuer's
 * button on a local development service, or Microsoft Entra ID where it is configured.
 */
export function SignIn({
  settings,
  onToken,
}: {
  settings: ConsoleSettings;
  onToken: (token: string) => void;
}) {
  const [pasted, setPasted] = useState('');
  const [tenant, setTenant] = useState('contoso-partner');
  const [user, setUser] = useState('technician');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const developmentSignIn = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch('/console/development-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ tenant, user }),
      });
      const body = (await response.json()) as {
        accessToken?: string;
        error?: { message?: string };
      };
      if (!response.ok || !body.accessToken)
        throw new Error(body.error?.message ?? `The service answered ${response.status}.`);
      onToken(body.accessToken);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const entraSignIn = async () => {
    if (!settings.entra) return;
    setBusy(true);
    try {
      const { startEntraSignIn } = await import('../entra-sign-in');
      await startEntraSignIn(settings.entra);
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Managed tenant operations</h1>
      <p>
        Run one piece of work across every customer tenant you manage, and see what happened in
        each.
      </p>
      <ErrorMessage error={error} />
      {settings.entra && (
        <section aria-label="Microsoft sign-in">
          <button type="button" class="primary" onClick={entraSignIn} disabled={busy}>
            Sign in with Microsoft
          </button>
        </section>
      )}
      {settings.developmentSignIn && (
        <form onSubmit={developmentSignIn} aria-label="Development sign-in">
          <h2>Development sign-in</h2>
          <p class="hint">
            This service trusts its own development issuer. Type a partner tenant and a user (an id,
            or any name: a name stands for the same made-up id each time).
          </p>
          <label>
            Partner tenant
            <input
              value={tenant}
              onInput={(event) => setTenant(event.currentTarget.value)}
              required
              maxLength={200}
            />
          </label>
          <label>
            User
            <input
              value={user}
              onInput={(event) => setUser(event.currentTarget.value)}
              required
              maxLength={200}
            />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            Sign in (development)
          </button>
        </form>
      )}
      <form
        aria-label="Sign in with a token"
        onSubmit={(event) => {
          event.preventDefault();
          if (pasted.trim()) onToken(pasted);
        }}
      >
        <h2>Sign in with a token</h2>
        <label>
          Access token
          <textarea
            value={pasted}
            onInput={(event) => setPasted(event.currentTarget.value)}
            rows={4}
            autocomplete="off"
            spellcheck={false}
            placeholder="eyJ…"
          />
        </label>
        <button type="submit" disabled={!pasted.trim()}>
          Use this token
        </button>
      </form>
    </main>
  );
}
