// Stands in for `https` inside aws-jwt-verify (plugins/esbuild-plugins.js): the module is
// loaded at the first `request`, not when the bundle loads. aws-jwt-verify uses `request` only.
// Plain CommonJS, bundled into the functions that use aws-jwt-verify.

let https;

/** `https.request`, loading `https` on first use. */
exports.request = (...args) => {
  https ??= require("node:https");
  return https.request(...args);
};
