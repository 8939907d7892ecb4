import { prepareTemplate, renderPrepared, MAX_RENDERED_CHARS, type PreparedTemplate } from "../release/llm-template";
import { missingVariableProblems } from "../template/messages";
import type { LlmSettings, TemplateMessage } from "./local-routing";
import { CanaryError } from "./transport";

// Renders a version's messages with the app's variables in-process, with the server's own code
// (lib/release/llm-template.ts over lib/template), so a local answer's `rendered` is the server's.

/** Parsed once per version state: the routing state keeps the same messages array until it changes. */
const prepared = new WeakMap<readonly TemplateMessage[], PreparedTemplate>();

function preparedOf(llm: LlmSettings): PreparedTemplate {
  let template = prepared.get(llm.messages);
  if (!template) {
    template = prepareTemplate(llm);
    prepared.set(llm.messages, template);
  }
  return template;
}

/**
 * The settings with `rendered` for these variables, or without `rendered` when none were given (a
 * stale answer may carry one rendered for other values). Refuses as the server does: a required
 * variable missing is `invalid_request` naming `variables.<name>`.
 */
export function llmFor(llm: LlmSettings, variables: Readonly<Record<string, string>> | undefined): LlmSettings {
  // Without variables a routing state's settings are answered as they are (no copy per call).
  if (!variables && llm.rendered === undefined) return llm;
  const template = { ...llm };
  delete template.rendered;
  if (!variables) return template;
  const result = renderPrepared(preparedOf(template), variables);
  if (result.ok) return { ...template, rendered: result.messages };
  const details =
    "missing" in result
      ? missingVariableProblems(result.missing)
      : [{ path: "variables", message: `make the rendered messages longer than ${MAX_RENDERED_CHARS} characters` }];
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  return refuse(`The \`${details[0].path}\` field ${details[0].message}${more}.`, details);
}

function refuse(message: string, details: { path: string; message: string }[]): never {
  throw new CanaryError("invalid_request", message, { details });
}
