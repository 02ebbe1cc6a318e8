// ESLint for the site's own JavaScript (`make test` runs it before pytest): the page scripts, which pages load
// as classic scripts in the order mkdocs.yml lists them, the service worker, and `practica serve`'s live reload.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

const style = {
  ...js.configs.recommended.rules,
  "no-var": "error",
  "prefer-const": "error",
  "prefer-arrow-callback": "error",
};

module.exports = [
  { ignores: ["node_modules/", "site/", ".site-*/", "bench/out/", ".venv/", "build/"] },
  {
    // shared.js defines `practica`, the namespace the other page scripts use; sw.js imports it too.
    files: ["pwa/overrides/assets/practica/*.js", "generator/commands/livereload.js"],
    languageOptions: { ecmaVersion: "latest", sourceType: "script", globals: { ...globals.browser, practica: "readonly" } },
    rules: style,
  },
  {
    files: ["pwa/overrides/assets/practica/shared.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ["pwa/sw.js"],
    languageOptions: {
      ecmaVersion: "latest", sourceType: "script",
      globals: { ...globals.serviceworker, __PRACTICA_PRECACHE__: "readonly" },   // filled in by `practica build`
    },
    rules: style,
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { ecmaVersion: "latest", sourceType: "commonjs", globals: { ...globals.node } },
    rules: style,
  },
];
