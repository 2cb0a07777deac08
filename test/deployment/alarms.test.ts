/**
 * The optional alarms (resources/alarms.js, parameter alarmTopicArn): none without a topic;
 * with one, per function errors, throttles and duration alarms, and metric filters with alarms
 * for the log lines the docs tell operators to watch.
 */
import { readServerlessYml } from "../../scripts/local-env";
import { FUNCTION_NAMES } from "../../scripts/registry";
import { packageService, type Resource, ROOT, type Template } from "./template";
import { VARIANTS } from "./variants";

jest.setTimeout(120_000);

const alarms = require("../../resources/alarms.js") as {
  FUNCTIONS: string[];
  LOG_EVENTS: Record<string, { pattern: string; functions: string[] }>;
  DURATION_THRESHOLD_MS: number;
};
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops-alarms";
const capitalise = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

let template: Template;
beforeAll(async () => {
  const variant = VARIANTS.find((v) => v.params.alarmTopicArn === TOPIC);
  template = await packageService({ ...variant?.params }, "alarms");
});

const ofType = (type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe("alarms", () => {
  test("none without a topic (the default)", () => {
    const resources = (readServerlessYml(ROOT).resources as { Resources: Record<string, Resource> })
      .Resources;
    expect(Object.values(resources).filter((r) => r.Type.startsWith("AWS::CloudWatch::"))).toEqual(
      [],
    );
    expect(Object.values(resources).filter((r) => r.Type === "AWS::Logs::MetricFilter")).toEqual(
      [],
    );
  });

  test("cover every function of the service", () => {
    expect([...alarms.FUNCTIONS].sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  test("per function: errors, throttles and duration near Cognito's 5 s, to the topic", () => {
    for (const fn of alarms.FUNCTIONS) {
      const id = capitalise(fn);
      for (const [suffix, metric, statistic, threshold] of [
        ["ErrorsAlarm", "Errors", "Sum", 1],
        ["ThrottlesAlarm", "Throttles", "Sum", 1],
        ["DurationAlarm", "Duration", "Maximum", alarms.DURATION_THRESHOLD_MS],
      ] as const) {
        expect(template.Resources[`${id}${suffix}`]?.Properties).toMatchObject({
          Namespace: "AWS/Lambda",
          MetricName: metric,
          Dimensions: [{ Name: "FunctionName", Value: { Ref: `${id}LambdaFunction` } }],
          Statistic: statistic,
          Threshold: threshold,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          AlarmActions: [TOPIC],
        });
      }
    }
    expect(alarms.DURATION_THRESHOLD_MS).toBeLessThan(5000);
  });

  test("the named log lines: a metric filter on each writer's log group, and an alarm", () => {
    // Prepare
    const filters = ofType("AWS::Logs::MetricFilter").map(([, r]) => r.Properties ?? {});

    for (const [metric, event] of Object.entries(alarms.LOG_EVENTS)) {
      // Act
      const mine = filters.filter((f) =>
        JSON.stringify(f.MetricTransformations).includes(`"${metric}"`),
      );

      // Assess
      expect(mine.map((f) => f.LogGroupName)).toEqual(
        event.functions.map((fn) => ({ Ref: `${capitalise(fn)}LogGroup` })),
      );
      for (const f of mine) expect(f.FilterPattern).toBe(event.pattern);
      expect(template.Resources[`${metric}Alarm`]?.Properties).toMatchObject({
        MetricName: metric,
        Namespace: { Ref: "AWS::StackName" },
        AlarmActions: [TOPIC],
      });
    }
    expect(alarms.LOG_EVENTS.TriggerFailed?.pattern).toBe('{ $.message = "Trigger failed" }');
    expect(alarms.LOG_EVENTS.LockoutFailOpen?.pattern).toBe('{ $.lockout = "fail-open" }');
    expect(alarms.LOG_EVENTS.LockoutThresholdReached?.pattern).toBe(
      '{ $.lockout = "threshold-reached" }',
    );
  });
});
