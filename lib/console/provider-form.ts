// The provider connection dialog's state as a request body. Stored secrets are never shown, so a
// blank key or header value on edit means "keep the stored one"; a removed stored header is sent
// as null (the API merges `headers` as JSON Merge Patch).

export interface HeaderRow {
  name: string;
  value: string;
  /** Stored on the server: its value is not known here, only its name. */
  stored: boolean;
  removed: boolean;
}

export interface ProviderForm {
  name: string;
  baseUrl: string;
  apiKey: string;
  headers: HeaderRow[];
}

export function emptyProviderForm(): ProviderForm {
  return { name: "", baseUrl: "", apiKey: "", headers: [] };
}

export function providerFormFrom(connection: { name: string; baseUrl: string; headerNames: string[] }): ProviderForm {
  return { name: connection.name, baseUrl: connection.baseUrl, apiKey: "", headers: connection.headerNames.map((name) => ({ name, value: "", stored: true, removed: false })) };
}

/** The POST body (editing: false) or the PATCH body (editing: true). */
export function providerBody(form: ProviderForm, editing: boolean): Record<string, unknown> {
  const named = form.headers.filter((row) => row.name.trim() !== "");
  if (!editing) {
    return { name: form.name, baseUrl: form.baseUrl, apiKey: form.apiKey, headers: Object.fromEntries(named.filter((row) => !row.removed).map((row) => [row.name.trim(), row.value])) };
  }
  const patch: Record<string, string | null> = {};
  for (const row of named) {
    if (row.stored && row.removed) patch[row.name] = null;
    else if (!row.removed && (!row.stored || row.value !== "")) patch[row.name.trim()] = row.value;
  }
  return {
    name: form.name,
    baseUrl: form.baseUrl,
    ...(form.apiKey !== "" && { apiKey: form.apiKey }),
    ...(Object.keys(patch).length > 0 && { headers: patch }),
  };
}
