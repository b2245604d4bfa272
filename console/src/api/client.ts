import { linkPath, QueryOptions, queryString } from '../logic/odata';

/** An OData error the API answered, with its status: what the console shows a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  readonly value: T[];
  readonly count?: number;
  readonly nextLink?: string;
  readonly deltaLink?: string;
}

/**
 * The public API as the console calls it: the person's bearer token on every request, JSON in
 * and out, OData errors as ApiError. Nothing else is called.
 */
export class ApiClient {
  constructor(
    readonly apiBase: string,
    private readonly token: () => string | undefined,
    private readonly onUnauthorized: () => void,
  ) {}

  url(path: string, options: QueryOptions = {}): string {
    return `${this.apiBase}/${path}${queryString(options)}`;
  }

  async get<T>(
    path: string,
    options: QueryOptions = {},
    headers: Record<string, string> = {},
  ): Promise<T> {
    return (await this.send('GET', this.url(path, options), undefined, headers)) as T;
  }

  async page<T>(
    path: string,
    options: QueryOptions = {},
    headers: Record<string, string> = {},
  ): Promise<Page<T>> {
    return pageOf<T>(await this.get<Record<string, unknown>>(path, options, headers));
  }

  /** The page a nextLink or deltaLink the API gave points to. */
  async follow<T>(link: string, headers: Record<string, string> = {}): Promise<Page<T>> {
    const path = linkPath(link, this.apiBase);
    return pageOf<T>(
      (await this.send('GET', `${this.apiBase}/${path}`, undefined, headers)) as Record<
        string,
        unknown
      >,
    );
  }

  post<T>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.send('POST', this.url(path), body, headers) as Promise<T>;
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send('PATCH', this.url(path), body, {
      prefer: 'return=representation',
    }) as Promise<T>;
  }

  delete(path: string): Promise<unknown> {
    return this.send('DELETE', this.url(path));
  }

  /** A file the API answers (CSV, JSON) as a Blob, for a download. */
  async file(path: string, options: QueryOptions, accept: string): Promise<Blob> {
    const response = await this.fetch('GET', this.url(path, options), undefined, { accept });
    return response.blob();
  }

  private async send(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const response = await this.fetch(method, url, body, headers);
    if (response.status === 204 || response.status === 202) return undefined;
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private async fetch(
    method: string,
    url: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Response> {
    const token = this.token();
    const response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (response.ok) return response;
    const error = await errorOf(response);
    if (response.status === 401) this.onUnauthorized();
    throw error;
  }
}

function pageOf<T>(body: Record<string, unknown>): Page<T> {
  return {
    value: (body.value as T[]) ?? [],
    count: body['@odata.count'] as number | undefined,
    nextLink: body['@odata.nextLink'] as string | undefined,
    deltaLink: body['@odata.deltaLink'] as string | undefined,
  };
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(
      response.status,
      body.error?.code ?? 'unknown',
      body.error?.message ?? `The service answered ${response.status}.`,
    );
  } catch {
    return new ApiError(response.status, 'unknown', `The service answered ${response.status}.`);
  }
}
