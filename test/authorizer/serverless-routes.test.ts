/**
 * Every route behind the authorizer in serverless.yml has a rule in the default
 * AUTHORIZER_CONFIG. Under API Gateway's cache an Allow of a rule with `{param}` or `*`
 * also covers deeper paths (IAM's `*` spans `/`), so a route without a rule below such a
 * rule would be allowed by a cached policy (docs/authorizer.md).
 */
import { resolve } from "node:path";
import { localEnvironment, readServerlessYml } from "../../scripts/local-env";
import { parsePolicyConfig } from "../../shared/authorizer/config";
import type { CompiledRoute } from "../../shared/authorizer/routes";

const ROOT = resolve(__dirname, "../..");
const AUTHORIZER_FUNCTION = "authorizer";

type Yaml = Record<string, unknown>;
const record = (value: unknown): Yaml =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Yaml) : {};

/** An `http` event as `{ method, path }` (object or `"GET hello"` form), or undefined. */
function httpEvent(
  event: unknown,
): { method: string; path: string; authorizer: unknown } | undefined {
  const http = record(event).http;
  if (typeof http === "string") {
    const [method = "", path = ""] = http.split(" ");
    return { method, path, authorizer: undefined };
  }
  const h = record(http);
  if (typeof h.method !== "string" || typeof h.path !== "string") return undefined;
  return { method: h.method, path: h.path, authorizer: h.authorizer };
}

function usesAuthorizer(authorizer: unknown): boolean {
  if (typeof authorizer === "string") return authorizer === AUTHORIZER_FUNCTION;
  const a = record(authorizer);
  return a.name === AUTHORIZER_FUNCTION || a.functionName === AUTHORIZER_FUNCTION;
}

/**
 * An `httpApi` event (`{ method, path, authorizer }`, or `"GET /items"`, or `"*"`) as
 * `{ method, path }` when its authorizer is one of `provider.httpApi.authorizers` whose
 * `functionName` is the authorizer function; `*` as a method is every method.
 */
function httpApiEvent(
  event: unknown,
  authorizers: Yaml,
): { method: string; path: string; authorizer: unknown } | undefined {
  const httpApi = record(event).httpApi;
  let method: unknown;
  let path: unknown;
  let authorizer: unknown;
  if (typeof httpApi === "string") {
    [method, path] = httpApi === "*" ? ["*", "{proxy+}"] : httpApi.split(" ");
  } else {
    ({ method, path, authorizer } = record(httpApi));
  }
  if (typeof method !== "string" || typeof path !== "string") return undefined;
  const name = typeof authorizer === "string" ? authorizer : record(authorizer).name;
  const declared = typeof name === "string" ? record(authorizers[name]) : {};
  const ours = declared.functionName === AUTHORIZER_FUNCTION;
  return {
    method: method === "*" ? "any" : method,
    path: path === "*" ? "{proxy+}" : path,
    authorizer: ours ? AUTHORIZER_FUNCTION : undefined,
  };
}

/** Every `http` and `httpApi` endpoint of a serverless.yml document behind the authorizer. */
function endpointsBehindAuthorizer(yml: Yaml): { name: string; method: string; path: string }[] {
  const functions = record(yml.functions);
  const authorizers = record(record(record(yml.provider).httpApi).authorizers);
  return Object.entries(functions).flatMap(([name, fn]) => {
    const events = record(fn).events;
    return (Array.isArray(events) ? events : [])
      .map((event) => httpEvent(event) ?? httpApiEvent(event, authorizers))
      .filter((e) => e !== undefined && usesAuthorizer(e.authorizer))
      .map((e) => ({ name, method: e?.method ?? "", path: (e?.path ?? "").replace(/^\/+/, "") }));
  });
}

/**
 * True when `rule` covers every request of the endpoint template `path` (`items/{id}`,
 * `files/{proxy+}`) for `method` (`any`: every method).
 */
function covers(rule: CompiledRoute, method: string, path: string): boolean {
  const methods =
    method.toUpperCase() === "ANY"
      ? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
      : [method.toUpperCase()];
  if (!methods.every((m) => rule.methods.includes(m))) return false;
  const parts = path.replace(/^\/+|\/+$/g, "");
  const template = parts === "" ? [] : parts.split("/");
  if (template.length !== rule.segments.length) return false;
  return rule.segments.every((segment, i) => {
    const part = template[i] ?? "";
    const greedyPart = /^\{\w+\+\}$/.test(part);
    const paramPart = /^\{\w+\}$/.test(part);
    if (segment.kind === "greedy") return true;
    if (segment.kind === "one") return !greedyPart;
    return !greedyPart && !paramPart && segment.value === part;
  });
}

describe("serverless.yml", () => {
  it("gives every http endpoint behind the authorizer a rule of the default AUTHORIZER_CONFIG", () => {
    // Prepare
    const env = localEnvironment(ROOT, AUTHORIZER_FUNCTION);
    const { routes } = parsePolicyConfig(JSON.parse(env.AUTHORIZER_CONFIG ?? "null"));
    const endpoints = endpointsBehindAuthorizer(readServerlessYml(ROOT));

    // Act
    const uncovered = endpoints.filter(
      ({ method, path }) => !routes.some((rule) => covers(rule, method, path)),
    );

    // Assess: the sample endpoint is found, and nothing lacks a rule
    expect(endpoints).toContainEqual({ name: "hello", method: "get", path: "hello" });
    expect(uncovered).toEqual([]);
  });

  it("also reads httpApi endpoints behind the authorizer (object, string and catch-all forms)", () => {
    // Prepare: an HTTP API wired as docs/authorizer.md shows, plus one not behind it
    const yml = {
      provider: {
        httpApi: { authorizers: { cognitoJwt: { type: "request", functionName: "authorizer" } } },
      },
      functions: {
        items: {
          events: [
            {
              httpApi: { method: "POST", path: "/items/{id}", authorizer: { name: "cognitoJwt" } },
            },
            { httpApi: { method: "*", path: "/admin/{proxy+}", authorizer: "cognitoJwt" } },
            { httpApi: { method: "GET", path: "/open" } },
          ],
        },
        hello: { events: [{ http: { method: "get", path: "hello", authorizer: "authorizer" } }] },
      },
    };
    const { routes } = parsePolicyConfig({
      routes: [{ route: "GET /hello" }, { route: "POST /items/{id}" }],
    });

    // Act
    const endpoints = endpointsBehindAuthorizer(yml);
    const uncovered = endpoints.filter(
      ({ method, path }) => !routes.some((rule) => covers(rule, method, path)),
    );

    // Assess
    expect(endpoints).toEqual([
      { name: "items", method: "POST", path: "items/{id}" },
      { name: "items", method: "any", path: "admin/{proxy+}" },
      { name: "hello", method: "get", path: "hello" },
    ]);
    expect(uncovered).toEqual([{ name: "items", method: "any", path: "admin/{proxy+}" }]);
  });

  it("the coverage check knows one-segment parameters from greedy ones", () => {
    const [param, greedy, any] = parsePolicyConfig({
      routes: [
        { route: "GET /items/{id}" },
        { route: "GET /files/{path+}" },
        { route: "ANY /public" },
      ],
    }).routes as CompiledRoute[];
    if (param === undefined || greedy === undefined || any === undefined) throw new Error("rules");
    expect(covers(param, "get", "items/{itemId}")).toBe(true);
    expect(covers(param, "get", "items/{itemId}/refund")).toBe(false);
    expect(covers(param, "get", "items/{rest+}")).toBe(false);
    expect(covers(param, "post", "items/{itemId}")).toBe(false);
    expect(covers(greedy, "get", "files/{rest+}")).toBe(true);
    expect(covers(any, "any", "public")).toBe(true);
    expect(covers(param, "any", "items/{id}")).toBe(false);
  });
});
