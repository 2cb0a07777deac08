// Optional CloudWatch alarms (the `alarmTopicArn` parameter: an SNS topic ARN; empty = none):
// per function, errors, throttles and a duration near Cognito's 5 s limit; and metric filters
// with alarms for the named log lines operators act on: "Trigger failed" (any trigger) and the
// custom-auth lockout's "fail-open" and "threshold-reached". Included by serverless.yml as a
// JS variable source, so the resources exist only when a topic is given.
// Plain CommonJS: the framework loads it as a variable source.

const { whenResolved } = require("./resolve.js");
const { TRIGGERS } = require("./triggers.js");

/** Every function of the service: the triggers', the API's two and the revocation writer. */
const FUNCTIONS = [
  ...Object.values(TRIGGERS).flatMap((t) => t.functions),
  "authorizer",
  "revocationWriter",
  "hello",
];

/** A duration alarm fires at this maximum (ms): Cognito gives a trigger 5 s in all. */
const DURATION_THRESHOLD_MS = 4000;

/** `preSignUp` -> `PreSignUp` (the framework's logical-id prefix). */
const capitalise = (name) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

/** The named log lines: metric name -> filter pattern and the functions that write them. */
const LOG_EVENTS = {
  TriggerFailed: {
    pattern: '{ $.message = "Trigger failed" }',
    functions: Object.values(TRIGGERS).flatMap((t) => t.functions),
    description: 'a trigger failed (log line "Trigger failed"): the user saw an error',
  },
  LockoutFailOpen: {
    pattern: '{ $.lockout = "fail-open" }',
    functions: ["createAuthChallenge", "verifyAuthChallenge", "userMigration"],
    description: "the cross-sign-in lockout store failed and the lockout was skipped (fail-open)",
  },
  RevocationUnresolved: {
    pattern: '{ $.message = "Revocation not written: user unresolved" }',
    functions: ["revocationWriter"],
    description:
      "a sign-out, disabled or deleted user whose tokens the revocation writer could not revoke",
  },
  LockoutThresholdReached: {
    pattern: '{ $.lockout = "threshold-reached" }',
    functions: ["verifyAuthChallenge"],
    description: "a user reached the custom-auth wrong-answer threshold (possible attack)",
  },
};

/** One alarm: `Sum`/`Maximum` of a metric over a minute at or above `threshold`, to the topic. */
function alarm(topic, description, metric) {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmDescription: description,
      Namespace: metric.namespace,
      MetricName: metric.name,
      ...(metric.dimensions ? { Dimensions: metric.dimensions } : {}),
      Statistic: metric.statistic ?? "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: metric.threshold ?? 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [topic],
      OKActions: [topic],
    },
  };
}

/** The alarm and metric-filter resources for `topic` (none when it is empty). */
function alarmResources(topic) {
  const resources = {};
  if (topic === "") return resources;
  for (const fn of FUNCTIONS) {
    const id = capitalise(fn);
    const dimensions = [{ Name: "FunctionName", Value: { Ref: `${id}LambdaFunction` } }];
    const lambda = (name, extra) => ({ namespace: "AWS/Lambda", name, dimensions, ...extra });
    resources[`${id}ErrorsAlarm`] = alarm(topic, `${fn}: errors`, lambda("Errors"));
    resources[`${id}ThrottlesAlarm`] = alarm(topic, `${fn}: throttles`, lambda("Throttles"));
    resources[`${id}DurationAlarm`] = alarm(
      topic,
      `${fn}: an invocation took ${DURATION_THRESHOLD_MS} ms or more (Cognito stops waiting at 5 s)`,
      lambda("Duration", { statistic: "Maximum", threshold: DURATION_THRESHOLD_MS }),
    );
  }
  const namespace = { Ref: "AWS::StackName" };
  for (const [metric, event] of Object.entries(LOG_EVENTS)) {
    for (const fn of event.functions) {
      resources[`${capitalise(fn)}${metric}MetricFilter`] = {
        Type: "AWS::Logs::MetricFilter",
        Properties: {
          LogGroupName: { Ref: `${capitalise(fn)}LogGroup` },
          FilterPattern: event.pattern,
          MetricTransformations: [
            { MetricNamespace: namespace, MetricName: metric, MetricValue: "1", Unit: "Count" },
          ],
        },
      };
    }
    resources[`${metric}Alarm`] = alarm(topic, event.description, { namespace, name: metric });
  }
  return resources;
}

/** Variable source: `{ Resources }` for the `alarmTopicArn` parameter. */
function resolveAlarms({ resolveVariable }) {
  return whenResolved(resolveVariable("param:alarmTopicArn"), (value) => ({
    Resources: alarmResources(String(value ?? "").trim()),
  }));
}

resolveAlarms.FUNCTIONS = FUNCTIONS;
resolveAlarms.LOG_EVENTS = LOG_EVENTS;
resolveAlarms.DURATION_THRESHOLD_MS = DURATION_THRESHOLD_MS;
module.exports = resolveAlarms;
