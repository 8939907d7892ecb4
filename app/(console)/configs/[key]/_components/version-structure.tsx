import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { retrievalWords, responseFormatWords, schemaProperties, stopWords, toolChoiceWords, versionVariables } from "@/lib/console/version-summary";
import { configQueries, type VersionWire } from "@/lib/query/configs";
import { ROLE_STYLE } from "./editor-parts";
import { TemplateText, Words } from "./template-text";

// A version's settings as structure: messages as cards with their roles and highlighted
// variables, the variables, tools and response format as tables, sampling as a list.

export function VersionStructure({ version: v }: { version: VersionWire }) {
  const variables = versionVariables(v);
  return (
    <div className="flex flex-col gap-6">
      <Settings version={v} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <section aria-labelledby="version-messages-heading" className="flex min-w-0 flex-col gap-3">
          <h3 id="version-messages-heading" className="text-base font-semibold">
            Messages
          </h3>
          <ol aria-label="Template messages" className="flex flex-col gap-3">
            {v.messages.map((m, i) => (
              <li key={i} aria-label={`Message ${i + 1}: ${m.role === "placeholder" ? "history" : m.role}`} className={`rounded-lg border border-l-4 border-slate-200 bg-white p-3 ${ROLE_STYLE[m.role].card}`}>
                <div className="mb-1 flex items-center gap-2 text-xs text-slate-700">
                  <span className="font-medium">{i + 1}</span>
                  <span className={`rounded px-1.5 py-0.5 font-medium ${ROLE_STYLE[m.role].badge}`}>{m.role === "placeholder" ? "history" : m.role}</span>
                </div>
                {m.role === "placeholder" ? (
                  <p className="text-sm text-slate-700">
                    The app&apos;s conversation so far goes here (<code className="font-mono">{m.name}</code>).
                  </p>
                ) : m.content === "" ? (
                  <p className="text-sm text-slate-600">(empty)</p>
                ) : (
                  <p className="whitespace-pre-wrap break-words text-sm text-slate-900">
                    <TemplateText text={m.content} />
                  </p>
                )}
              </li>
            ))}
          </ol>
        </section>
        <section aria-labelledby="version-variables-heading" className="flex min-w-0 flex-col gap-3">
          <h3 id="version-variables-heading" className="text-base font-semibold">
            Variables
          </h3>
          {variables.length === 0 ? (
            <p className="text-sm text-slate-700">None: the messages are sent as written.</p>
          ) : (
            <DataTable minWidth="min-w-[420px]" caption="Variables" columns={["Variable", "Needed", "Default", "Description"]}>
              {variables.map((variable) => (
                <tr key={variable.name} className="border-t border-slate-100">
                  <td className="px-3 py-2 font-mono text-xs">{variable.name}</td>
                  <td className="px-3 py-2 text-xs">{variable.required ? (variable.default === null ? <Badge tone="amber">required</Badge> : "has a default") : "optional"}</td>
                  <td className="px-3 py-2 font-mono text-xs">{variable.default === null ? <span className="text-slate-600">none</span> : variable.default === "" ? '""' : variable.default}</td>
                  <td className="px-3 py-2 text-xs">{variable.description}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      </div>
      <section aria-labelledby="version-tools-heading" className="flex flex-col gap-3">
        <h3 id="version-tools-heading" className="text-base font-semibold">
          Tools
        </h3>
        {v.tools.length === 0 ? (
          <p className="text-sm text-slate-700">None.</p>
        ) : (
          <ul aria-label="Tools" className="flex flex-col gap-3">
            {v.tools.map((t) => (
              <li key={t.name} aria-label={`Tool ${t.name}`} className="flex flex-col gap-2 rounded-lg border border-slate-200 bg-white p-3">
                <p className="text-sm">
                  <code className="font-mono font-semibold">{t.name}</code>
                  {t.description && <span className="text-slate-700"> — {t.description}</span>}
                </p>
                <SchemaTable schema={t.parameters} label={`Parameters of ${t.name}`} noun="Parameter" />
              </li>
            ))}
          </ul>
        )}
        <p className="text-sm">
          <span className="text-slate-700">Tool choice:</span> <Words text={toolChoiceWords(v.toolChoice)} />
        </p>
      </section>
      <section aria-labelledby="version-response-heading" className="flex flex-col gap-3">
        <h3 id="version-response-heading" className="text-base font-semibold">
          Response format
        </h3>
        <p className="text-sm">
          <Words text={responseFormatWords(v.responseFormat)} />
          {v.responseFormat?.type === "json_schema" && v.responseFormat.description && <span className="text-slate-700"> — {v.responseFormat.description}</span>}
        </p>
        {v.responseFormat?.type === "json_schema" && <SchemaTable schema={v.responseFormat.schema} label="Response fields" noun="Field" />}
      </section>
    </div>
  );
}

function Settings({ version: v }: { version: VersionWire }) {
  const rows: [string, ReactNode][] = [
    ["Model", <span key="m" className="font-mono">{v.model}</span>],
    ["Provider", v.provider ?? "none"],
    ["Provider connection", v.providerId === null ? "none" : <ProviderConnectionName key="pc" id={v.providerId} />],
    ["Temperature", v.temperature],
    ["top_p", v.topP],
    ["Max tokens", v.maxTokens],
    ["Seed", v.seed ?? "none"],
    ["Stop sequences", <Words key="s" text={stopWords(v.stop)} />],
    ["Retrieval", <Words key="r" text={retrievalWords(v.retrievalStrategy)} />],
    [
      "Extra params",
      Object.keys(v.params).length === 0 ? "none" : (
        <span key="p" className="flex flex-col">
          {Object.entries(v.params).map(([key, value]) => (
            <span key={key} className="font-mono text-xs">
              {key} = {JSON.stringify(value)}
            </span>
          ))}
        </span>
      ),
    ],
  ];
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-xl border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3 lg:grid-cols-5">
        {rows.map(([label, value]) => (
          <div key={label} className="min-w-0">
            <dt className="text-slate-600">{label}</dt>
            <dd className="break-words text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
  );
}

/** An object schema's top-level properties as rows, with the whole schema one click away. */
function SchemaTable({ schema, label, noun }: { schema: Record<string, unknown>; label: string; noun: string }) {
  const properties = schemaProperties(schema);
  return (
    <div className="flex flex-col gap-2">
      {properties.length === 0 ? (
        <p className="text-xs text-slate-700">No {noun.toLowerCase()}s.</p>
      ) : (
        <DataTable minWidth="min-w-[480px]" caption={label} columns={[noun, "Type", "Required", "Description"]}>
            {properties.map((p) => (
              <tr key={p.name} className="border-t border-slate-100">
                <td className="px-3 py-1.5 font-mono text-xs">{p.name}</td>
                <td className="px-3 py-1.5 font-mono text-xs">{p.type}</td>
                <td className="px-3 py-1.5 text-xs">{p.required ? "required" : "optional"}</td>
                <td className="px-3 py-1.5 text-xs">{p.description}</td>
              </tr>
            ))}
          </DataTable>
      )}
      <details className="text-xs">
        <summary className="cursor-pointer text-slate-700">JSON Schema</summary>
        <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 font-mono">{JSON.stringify(schema, null, 2)}</pre>
      </details>
    </div>
  );
}

/** A connection by its name, or its id when it was deleted since. */
function ProviderConnectionName({ id }: { id: string }) {
  const connections = useQuery(configQueries.providerNames());
  const name = connections.data?.find((c) => c.id === id)?.name;
  if (name) return <span>{name}</span>;
  return <span className="font-mono text-xs">{id}{connections.isSuccess ? " (deleted)" : ""}</span>;
}
