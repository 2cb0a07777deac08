/**
 * The authorizer's logger: JSON lines shaped like Powertools Logger's (`level`, `message`,
 * `timestamp`, `service`, `function`, extra keys), redacted by the same replacer, in a few
 * hundred bytes. The authorizer's bundle and cold start are held to tight targets, and
 * Powertools Logger is about a third of that bundle (docs/authorizer.md#speed).
 */
import { redactingReplacer } from "../redact";

/** What the authorizer logs through (Powertools' `Logger` satisfies it too, as tests use). */
export interface AuthorizerLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown> | Error): void;
  /** The configured level's name, e.g. `INFO`. */
  getLevelName(): string;
}

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type LevelName = keyof typeof LEVELS;

function levelFrom(env: NodeJS.ProcessEnv): LevelName {
  // Powertools' order: the Lambda advanced logging level, then POWERTOOLS_LOG_LEVEL.
  const raw = (env.AWS_LAMBDA_LOG_LEVEL ?? env.POWERTOOLS_LOG_LEVEL ?? env.LOG_LEVEL ?? "INFO")
    .trim()
    .toUpperCase();
  return raw in LEVELS ? (raw as LevelName) : "INFO";
}

function errorFields(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, stack: error.stack };
}

/** Create the authorizer's logger (level and service read once, at cold start). */
export function createAuthorizerLogger(
  functionName: string,
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => void = (line) => process.stdout.write(line),
): AuthorizerLogger {
  const level = levelFrom(env);
  const threshold = LEVELS[level];
  const service = env.POWERTOOLS_SERVICE_NAME ?? "cognito-triggers";
  const log = (name: LevelName, message: string, extra?: Record<string, unknown> | Error) => {
    if (LEVELS[name] < threshold) return;
    const line: Record<string, unknown> = {
      level: name,
      message,
      timestamp: new Date().toISOString(),
      service,
      function: functionName,
    };
    const trace = env._X_AMZN_TRACE_ID;
    if (trace) line.xray_trace_id = trace.split(";")[0]?.replace("Root=", "");
    if (extra instanceof Error) line.error = errorFields(extra);
    else if (extra) {
      for (const key of Object.keys(extra)) {
        const value = extra[key];
        line[key] = value instanceof Error ? errorFields(value) : value;
      }
    }
    write(`${JSON.stringify(line, redactingReplacer)}\n`);
  };
  return {
    debug: (message, extra) => log("DEBUG", message, extra),
    info: (message, extra) => log("INFO", message, extra),
    warn: (message, extra) => log("WARN", message, extra),
    error: (message, extra) => log("ERROR", message, extra),
    getLevelName: () => level,
  };
}
