import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { layersPlugin } from "./lint/layers.mjs";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", "node_modules/**", "lib/db/generated/**", ".data/**", "test-results/**", "playwright-report/**", "tests/.e2e/**", "next-env.d.ts"] },
  {
    // The layers of lib/ (lint/layers.mjs) keep folders acyclic; import/no-cycle does the same for
    // files. Type-only imports are exempt from no-cycle: they vanish at run time.
    files: ["**/*.{js,jsx,mjs,ts,tsx,mts,cts}"],
    plugins: { layers: layersPlugin },
    // no-cycle follows imports file by file; packages cannot import back into the project, so it
    // need not parse them.
    settings: { "import/ignore": ["node_modules"] },
    rules: {
      "layers/point-down": "error",
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
];

export default config;
