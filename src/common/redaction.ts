/**
 * Secrets out of text that came from elsewhere (an upstream's error message, an answer, a row)
 * before it is stored, returned or logged: every value the caller names, in its plain and its
 * JSON-escaped form, and anything shaped like a JWT, become `[redacted]`.
 */

export const REDACTED = '[redacted]';

/** Three base64url parts with a JSON header: what every JWT (signed or encrypted) starts with. */
const JWT_SHAPE = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
/** Shorter values are not searched for: they would match ordinary words. */
const MIN_SECRET_LENGTH = 6;

export function redactSecrets(text: string, secrets: Iterable<string | undefined | null>): string {
  return secretRedactor(secrets)(text);
}

/**
 * `redactSecrets` for many texts and the same secrets (a listing's thousands of names): the forms
 * of each secret are worked out once, not once a text (a token's percent-encoding is a pass over
 * a few kilobytes).
 */
export function secretRedactor(
  secrets: Iterable<string | undefined | null>,
): (text: string) => string {
  const forms: string[] = [];
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) forms.push(...formsOf(secret));
  }
  return (text) => {
    let redacted = text;
    for (const form of forms) {
      if (redacted.includes(form)) redacted = redacted.split(form).join(REDACTED);
    }
    return redacted.includes('eyJ') ? redacted.replace(JWT_SHAPE, REDACTED) : redacted;
  };
}

/** A secret as it may appear in text: as it is, JSON-escaped, and percent-encoded. */
function formsOf(secret: string): string[] {
  const forms = [secret];
  const escaped = JSON.stringify(secret).slice(1, -1);
  if (escaped !== secret) forms.push(escaped);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) forms.push(encoded);
  return forms;
}
