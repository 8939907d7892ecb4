import path from "node:path";
import { fileURLToPath } from "node:url";

// The layer rule of lib/, app/ and components/, declared once, here. A module is a folder of lib/
// (lib/release), a file at lib's top (lib/errors) or app/ and components/ as a whole. Layers run
// from the bottom up; a module may import only modules of lower layers. Two modules of one layer
// must not import each other: with that, no chain of imports can lead back to where it started,
// so there is no cycle between folders. (Cycles between files of one folder are import/no-cycle's
// job, see eslint.config.mjs.) Type-only imports count too: a layer that needs a higher layer's
// types is as tied to it as one that calls it.

/** Bottom to top. A folder or top-level file of lib/ missing here is reported where it is imported. */
export const LAYERS = [
  // Shared leaves: no imports from lib/. lib/template (the prompt template language) imports nothing
  // at all: the SDK runs it in any JavaScript runtime.
  ["lib/errors", "lib/ids", "lib/env", "lib/version", "lib/limits", "lib/client-address", "lib/security-headers", "lib/guardrails", "lib/template", "lib/plural", "lib/periodic"],
  // lib/outbound: the policy every request to a configured URL goes through (reads lib/env).
  ["lib/text-check", "lib/outbound"],
  ["lib/validation"],
  ["lib/db"],
  // Written inside the caller's transaction: the audit event and the change notification.
  ["lib/audit", "lib/change-notify"],
  ["lib/auth"],
  // Provider connections and the calls made through them (the playground, evaluators and the
  // gateway build on it; a version names its connection).
  ["lib/providers"],
  // lib/pricing: the model price table, which ingest and the product's own LLM calls price by.
  ["lib/release", "lib/pricing"],
  ["lib/snapshot"],
  // lib/playground: versions run side by side through provider connections (lib/providers), priced by lib/pricing.
  ["lib/metrics", "lib/alerts", "lib/playground"],
  // lib/evaluators: online LLM-as-a-judge (calls providers, writes scores through lib/metrics).
  ["lib/analysis", "lib/http", "lib/evaluators"],
  ["lib/hot", "lib/controller"],
  // Clients of the APIs above: the console's query keys and forms, the SDK.
  ["lib/query", "lib/console", "lib/hooks", "lib/sdk"],
  // The OpenAI-compatible gateway: the client API's routing and snapshot, a provider call, and the
  // SDK's delivery queue to record outcomes through ingest in this process.
  ["lib/gateway"],
  // The OpenAPI document, of every API above (the gateway's too).
  ["lib/openapi"],
  // Entry points. lib/server is the composition root: below it, nothing imports it; the demo starts
  // one.
  ["lib/server", "lib/cli"],
  ["lib/demo"],
  ["components"],
  ["app"],
];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LAYER_OF = new Map(LAYERS.flatMap((modules, index) => modules.map((module) => [module, index])));
const LAYERED_TOPS = new Set(["lib", "app", "components"]);
const CONFIG_FILE = "lint/layers.mjs";

/** The module a path (relative to the project, with `/`) belongs to; null when it is not layered. */
export function moduleOf(relativePath) {
  const parts = relativePath.split("/");
  if (!LAYERED_TOPS.has(parts[0]) || parts.length < 2) return null;
  if (parts[0] !== "lib") return parts[0];
  return parts.length > 2 ? `lib/${parts[1]}` : `lib/${parts[1].replace(/\.(d\.)?[cm]?[jt]sx?$/, "")}`;
}

function relativeToRoot(absolute) {
  return path.relative(ROOT, absolute).split(path.sep).join("/");
}

/** The project path an import specifier names, or null for a package. */
function targetPath(filename, specifier) {
  if (specifier.startsWith("@/")) return relativeToRoot(path.join(ROOT, specifier.slice(2)));
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    return relativeToRoot(path.resolve(path.dirname(filename), specifier));
  }
  return null;
}

const describe = (index) => `layer ${index} (${LAYERS[index].join(", ")})`;

const pointDown = {
  meta: {
    type: "problem",
    docs: { description: `Imports point down the layers declared in ${CONFIG_FILE}` },
    schema: [],
    messages: {
      upward:
        "`{{from}}` is in {{fromLayer}} and must not import `{{to}}` from the higher {{toLayer}}: " +
        `imports point down only. Move what both need into a lower layer; the layers are listed in ${CONFIG_FILE}.`,
      sameLayer:
        "`{{from}}` and `{{to}}` share {{fromLayer}}, so neither may import the other (that is how cycles " +
        "between folders start). Move what both need into a lower layer, or give one of them a layer of its " +
        `own in ${CONFIG_FILE}.`,
      unplaced: `\`{{module}}\` has no layer: add it to LAYERS in ${CONFIG_FILE}.`,
    },
  },
  create(context) {
    const filename = context.filename;
    const from = moduleOf(relativeToRoot(filename));
    if (from === null) return {};

    function check(node, source) {
      if (!source || typeof source.value !== "string") return;
      const target = targetPath(filename, source.value);
      const to = target === null ? null : moduleOf(target);
      if (to === null || to === from) return;
      const fromIndex = LAYER_OF.get(from);
      const toIndex = LAYER_OF.get(to);
      if (fromIndex === undefined) return; // reported once, on the file
      if (toIndex === undefined) {
        context.report({ node, messageId: "unplaced", data: { module: to } });
        return;
      }
      if (toIndex < fromIndex) return;
      const data = { from, to, fromLayer: describe(fromIndex), toLayer: describe(toIndex) };
      context.report({ node, messageId: toIndex === fromIndex ? "sameLayer" : "upward", data });
    }

    return {
      Program(node) {
        if (!LAYER_OF.has(from)) context.report({ node, messageId: "unplaced", data: { module: from } });
      },
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument),
    };
  },
};

/** The plugin eslint.config.mjs registers as `layers`. */
export const layersPlugin = { meta: { name: "layers" }, rules: { "point-down": pointDown } };
