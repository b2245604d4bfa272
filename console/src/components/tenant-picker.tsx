import { useEffect, useState } from 'preact/hooks';
import { SearchField } from './ui';
import { useApi } from './context';
import { useLoad } from './hooks';
import { containsText, quote } from '../logic/odata';

interface TenantName {
  id: string;
  displayName: string;
}

/** Customer tenants picked from the directory by name; the ids are what the API takes. */
export function TenantPicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  const api = useApi();
  const [search, setSearch] = useState('');
  const [names, setNames] = useState<Record<string, string>>({});
  const matches = useLoad(
    async () =>
      search.trim()
        ? (
            await api.page<TenantName>('tenants', {
              $filter: containsText('displayName', search),
              $select: 'id,displayName',
              $orderby: 'displayName',
              $top: 8,
            })
          ).value
        : [],
    [search],
  );
  useEffect(() => {
    const unknown = value.filter((id) => !(id in names));
    if (unknown.length === 0) return;
    void api
      .page<TenantName>('tenants', {
        $filter: `id in (${unknown.map(quote).join(',')})`,
        $select: 'id,displayName',
      })
      .then((page) =>
        setNames((known) => ({
          ...known,
          ...Object.fromEntries(unknown.map((id) => [id, id])),
          ...Object.fromEntries(page.value.map((tenant) => [tenant.id, tenant.displayName])),
        })),
      )
      .catch(() => undefined);
  }, [value.join(',')]);

  const add = (tenant: TenantName) => {
    setNames((known) => ({ ...known, [tenant.id]: tenant.displayName }));
    if (!value.includes(tenant.id)) onChange([...value, tenant.id]);
  };
  return (
    <fieldset class="picker">
      <legend>{label}</legend>
      <ul class="chips" aria-label={`${label}: chosen`}>
        {value.map((id) => (
          <li key={id}>
            {names[id] ?? id}
            <button
              type="button"
              aria-label={`Remove ${names[id] ?? id}`}
              onClick={() => onChange(value.filter((other) => other !== id))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <SearchField label="Find a tenant by name" value={search} onChange={setSearch} />
      <ul class="matches" aria-label={`${label}: matches`}>
        {(matches.data ?? []).map((tenant) => (
          <li key={tenant.id}>
            <button type="button" onClick={() => add(tenant)} disabled={value.includes(tenant.id)}>
              Add {tenant.displayName}
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
