import { ComponentChildren } from 'preact';

export function ErrorMessage({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Notice({ text }: { text?: string }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {text ?? ''}
    </p>
  );
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section aria-label={title}>
      <div class="section-head">
        <h2>{title}</h2>
        {actions && <div class="actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

/** A download of a Blob the API answered, under the name given. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A field of a filter form (text to search for, or a date): what it filters by, as its label. */
export function SearchField({
  label,
  value,
  onChange,
  type = 'search',
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'search' | 'date';
  placeholder?: string;
}) {
  const changed = (event: { currentTarget: HTMLInputElement }) =>
    onChange(event.currentTarget.value);
  return (
    <label>
      {label}
      {type === 'date' ? (
        <input type="date" value={value} onInput={changed} />
      ) : (
        <input type="search" value={value} placeholder={placeholder} onInput={changed} />
      )}
    </label>
  );
}

/** A field of a filter form that picks one of `choices` (value and label), or any of them. */
export function ChoiceField<V extends string>({
  label,
  value,
  onChange,
  choices,
}: {
  label: string;
  value: V | '';
  onChange: (value: V | '') => void;
  choices: ReadonlyArray<readonly [V, string]>;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.currentTarget.value as V | '')}>
        <option value="">Any</option>
        {choices.map(([choice, text]) => (
          <option key={choice} value={choice}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
