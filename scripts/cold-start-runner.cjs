// One cold start as Lambda pays it: require a deployment bundle, call its handler once per event
// file, exit. Prints one JSON line: the AWS SDK packages the bundle required during the require
// (`coldStart`) and after the events (`afterEvents`), each event's outcome, and the CPU time the
// whole process used (`cpuMs`) with its peak resident memory (`maxRssMb`).
// Usage: node cold-start-runner.cjs [--stub-sdk] <bundle.js> <exportName> <function> <event.json>...
// With --stub-sdk every `@aws-sdk/client-*` the bundle requires is a stand-in whose commands
// answer the operation's canned response (cold-start-responses.json: `"<Operation> <TableName>"`
// before `"<Operation>"`, as the stub server does) without loading the SDK.
// Plain CommonJS on purpose: it runs on any Node without a TypeScript loader.
const Module = require("node:module");
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");
const { invokeOnEvent } = require("./invoke-bundle.cjs");

const args = process.argv.slice(2);
const stubSdk = args[0] === "--stub-sdk";
const [bundleArg, exportName, name, ...events] = stubSdk ? args.slice(1) : args;
const bundle = resolve(bundleArg);
const responses = JSON.parse(readFileSync(resolve(__dirname, "cold-start-responses.json"), "utf8"));

/** A stand-in for one SDK client package: every export is a class; clients answer canned responses. */
function stubPackage() {
  const classes = new Map();
  // The classes come from the prototype: esbuild's `import()` interop copies a module's own
  // properties onto an object with the same prototype, so the lookups still reach the proxy.
  const proxy = new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key !== "string" || key === "then" || key === "__esModule") return undefined;
        if (!classes.has(key)) {
          const operation = key.replace(/Command$/, "");
          classes.set(
            key,
            key.endsWith("Command")
              ? class {
                  constructor(input) {
                    this.input = input;
                    this.operation = operation;
                  }
                }
              : class {
                  constructor(config) {
                    this.config = config ?? {};
                  }
                  send(command) {
                    const table = command?.input?.TableName;
                    const answer =
                      (typeof table === "string"
                        ? responses[`${command?.operation} ${table}`]
                        : undefined) ?? responses[command?.operation];
                    if (answer === undefined) {
                      return Promise.reject(
                        new Error(`no canned response for ${command?.operation}`),
                      );
                    }
                    return Promise.resolve(structuredClone(answer));
                  }
                  destroy() {}
                },
          );
        }
        return classes.get(key);
      },
    },
  );
  return Object.create(proxy);
}

const loaded = new Set();
const stubs = new Map();
const load = Module._load;
Module._load = function loadRecorded(request, parent, ...rest) {
  // Only the bundle's own requires: the SDK packages it names (the runtime's copies in AWS).
  if (parent?.filename === bundle && request.startsWith("@aws-sdk/")) {
    loaded.add(request);
    if (stubSdk && request.startsWith("@aws-sdk/client-")) {
      if (!stubs.has(request)) stubs.set(request, stubPackage());
      return stubs.get(request);
    }
  }
  return load.call(this, request, parent, ...rest);
};

async function main() {
  // The functions log JSON to stdout; keep stdout for the one result line.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  const handler = require(bundle)[exportName];
  if (typeof handler !== "function") throw new Error(`${bundle} exports no ${exportName}`);
  const coldStart = [...loaded].sort();
  const outcomes = [];
  for (const event of events) {
    outcomes.push(
      await invokeOnEvent(handler, name, event, {
        requestId: "cold-start",
        logStream: "cold-start",
      }),
    );
  }
  // CPU time of the whole process so far (every thread, user + system): node's start included.
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  const maxRssMb = usage.maxRSS / 1024;
  write(
    `${JSON.stringify({ coldStart, afterEvents: [...loaded].sort(), outcomes, cpuMs, maxRssMb })}\n`,
  );
}

main().then(
  // Exit at once, as a process whose work is done (sockets kept alive would hold it open).
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
