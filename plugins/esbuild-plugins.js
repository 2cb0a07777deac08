// esbuild plugins of every deployment bundle: serverless.yml (`custom.esbuild.plugins`),
// scripts/bundle.ts and the authorizer bench build with this same list.
// Plain CommonJS: serverless-esbuild requires it.

const { join } = require("node:path");

/**
 * aws-jwt-verify imports `https` at load time for its default JWKS fetcher (`SimpleFetcher`),
 * which the authorizer never uses (its `BoundedFetcher` downloads with the global `fetch`).
 * Loading `https` (and with it `tls`, `net` and the HTTP client) costs a fresh Lambda process
 * about 13 ms before the first request. This plugin gives aws-jwt-verify, and only it, a
 * stand-in that loads `https` the first time `request` is called (docs/authorizer.md, "Speed").
 */
const lazyHttps = {
  name: "lazy-https-for-aws-jwt-verify",
  setup(build) {
    build.onResolve({ filter: /^(node:)?https$/ }, (args) =>
      /[\\/]aws-jwt-verify[\\/]/.test(args.importer)
        ? { path: join(__dirname, "lazy-https.js") }
        : undefined,
    );
  },
};

module.exports = [lazyHttps];
