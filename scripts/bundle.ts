/**
 * One function's deployment bundle, built as serverless-esbuild builds it for a deployment
 * (serverless.yml `custom.esbuild`: bundled, minified, node24, CommonJS, the AWS SDK external
 * because the Lambda runtime ships it, the same plugins). Used by the bundle benchmark and the bundle test.
 */
import { resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import { splitHandler } from "./registry";

const ROOT = resolve(__dirname, "..");

/** The plugins serverless.yml's `custom.esbuild.plugins` names (CommonJS: the framework's). */
export const ESBUILD_PLUGINS = require("../plugins/esbuild-plugins.js") as Plugin[];

/**
 * Bundle `handler` (`file.export`) to `outfile`; returns the file, the AWS SDK modules it
 * requires, and the packages bundled into it (`node_modules/<name>`, sorted).
 */
export async function bundleFunction(
  handler: string,
  outfile: string,
): Promise<{ file: string; externals: string[]; packages: string[] }> {
  const { file } = splitHandler(handler);
  const result = await build({
    metafile: true,
    entryPoints: [resolve(ROOT, file)],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    external: ["@aws-sdk/*"],
    plugins: ESBUILD_PLUGINS,
    logLevel: "silent",
  });
  const externals = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external && i.path.startsWith("@aws-sdk/")).map((i) => i.path),
  );
  const packages = Object.keys(result.metafile.inputs).flatMap((input) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    return match?.[1] === undefined ? [] : [match[1]];
  });
  return {
    file: outfile,
    externals: [...new Set(externals)].sort(),
    packages: [...new Set(packages)].sort(),
  };
}
