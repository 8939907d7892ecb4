import { prepareTemplate, refusalOf, renderPrepared, type PreparedTemplate } from "../release/llm-template";
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
 * stale answer may carry one rendered for other values). Refuses with the server's own words
 * (refusalOf): a required variable missing is `invalid_request` naming `variables.<name>`.
 */
export function llmFor(llm: LlmSettings, variables: Readonly<Record<string, string>> | undefined): LlmSettings {
  // Without variables a routing state's settings are answered as they are (no copy per call).
  if (!variables && llm.rendered === undefined) return llm;
  const template = { ...llm };
  delete template.rendered;
  if (!variables) return template;
  const result = renderPrepared(preparedOf(template), variables);
  if (result.ok) return { ...template, rendered: result.messages };
  const { message, details } = refusalOf(result);
  throw new CanaryError("invalid_request", message, { details });
}
