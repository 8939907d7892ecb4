import { encryptionKey } from "./encryption-key";
import { open, seal, SealError } from "./secret-box";

// A connection's secrets as stored: the API key and the extra headers' values, each sealed with
// the row's id and the field in the additional data (lib/providers/secret-box.ts).

const apiKeyContext = (id: string) => `provider_connections:${id}:api_key`;
const headersContext = (id: string) => `provider_connections:${id}:headers`;

export interface ConnectionSecrets {
  apiKey: string;
  headers: Record<string, string>;
}

export interface SealedSecrets {
  apiKeySealed: string;
  apiKeyHint: string;
  headerNames: string[];
  headersSealed: string | null;
}

/** `…` and the key's last four characters; keys shorter than 16 show none (four would be too many of them). */
export function apiKeyHint(apiKey: string): string {
  return apiKey.length >= 16 ? `…${apiKey.slice(-4)}` : "…";
}

export function sealApiKey(id: string, apiKey: string): Pick<SealedSecrets, "apiKeySealed" | "apiKeyHint"> {
  return { apiKeySealed: seal(encryptionKey(), apiKey, apiKeyContext(id)), apiKeyHint: apiKeyHint(apiKey) };
}

export function sealHeaders(id: string, headers: Record<string, string>): Pick<SealedSecrets, "headerNames" | "headersSealed"> {
  const names = Object.keys(headers);
  return {
    headerNames: names,
    headersSealed: names.length ? seal(encryptionKey(), JSON.stringify(headers), headersContext(id)) : null,
  };
}

/** The secrets in the clear, for a call; throws a SealError when they cannot be opened. */
export function openSecrets(row: { id: string; apiKeySealed: string; headersSealed: string | null }): ConnectionSecrets {
  const key = encryptionKey();
  const apiKey = open(key, row.apiKeySealed, apiKeyContext(row.id));
  const headers = row.headersSealed ? (JSON.parse(open(key, row.headersSealed, headersContext(row.id))) as Record<string, string>) : {};
  return { apiKey, headers };
}

export { SealError };
