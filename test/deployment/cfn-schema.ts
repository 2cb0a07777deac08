/**
 * A CloudFormation template checked against AWS's resource specification, as shipped by
 * `@aws-cdk/aws-service-spec` (`db.json.gz`): resource types, property names at every level,
 * primitive types, allowed values, required properties, and every Ref / Fn::GetAtt / Fn::Sub /
 * DependsOn / Condition target. Returns the problems found, each naming its path.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

/** A property type in the specification. */
export interface SpecType {
  readonly type: string;
  readonly element?: SpecType;
  readonly types?: readonly SpecType[];
  readonly reference?: { readonly $ref: string };
  readonly allowedValues?: readonly string[];
}

/** A property in the specification. */
interface SpecProperty {
  readonly type: SpecType;
  readonly required?: boolean;
}

/** A resource type in the specification. */
interface SpecResource {
  readonly cloudFormationType: string;
  readonly properties: Record<string, SpecProperty>;
  readonly attributes: Record<string, unknown>;
}

/** The parts of the specification the check reads. */
export interface Spec {
  readonly resources: ReadonlyMap<string, SpecResource>;
  readonly types: ReadonlyMap<string, { readonly properties: Record<string, SpecProperty> }>;
}

/** Load the specification from `@aws-cdk/aws-service-spec` (about 200 ms). */
export function loadSpec(root: string): Spec {
  const file = join(root, "node_modules/@aws-cdk/aws-service-spec/db.json.gz");
  const db = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as {
    schema: {
      resource: { entities: SpecResource[] };
      typeDefinition: { entities: { $id: string; properties: Record<string, SpecProperty> }[] };
    };
  };
  return {
    resources: new Map(db.schema.resource.entities.map((r) => [r.cloudFormationType, r])),
    types: new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t])),
  };
}

/** The template sections the check reads. */
export interface CheckedTemplate {
  readonly Resources: Record<string, Record<string, unknown>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Outputs?: Record<string, Record<string, unknown>>;
}

// Keys a resource may carry besides Type and Properties.
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "Condition",
  "DependsOn",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
  "UpdatePolicy",
  "CreationPolicy",
]);
const POLICIES = new Set(["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]);
// Intrinsic functions that yield a value which cannot be typed here (checked for references only).
const VALUE_INTRINSICS = new Set([
  "Ref",
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::FindInMap",
  "Fn::ImportValue",
  "Fn::Base64",
  "Fn::Cidr",
  "Fn::GetAZs",
  "Fn::If",
  "Fn::ToJsonString",
  "Fn::Length",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{ "Fn::X": ... }` or `{ Ref: ... }`: the function's name, else undefined. */
function intrinsic(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const key = keys[0];
  return keys.length === 1 && key !== undefined && VALUE_INTRINSICS.has(key) ? key : undefined;
}

/** Check `template` against `spec`; returns one line per problem (empty: valid). */
export function checkTemplate(template: CheckedTemplate, spec: Spec): string[] {
  const problems: string[] = [];
  const resources = template.Resources ?? {};
  const conditions = template.Conditions ?? {};
  const parameters = template.Parameters ?? {};

  const checkReferences = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        checkReferences(v, `${path}[${i}]`);
      });
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "Ref" && typeof inner === "string") {
        if (!inner.startsWith("AWS::") && !(inner in resources) && !(inner in parameters)) {
          problems.push(`${path}: Ref to missing ${inner}`);
        }
      } else if (key === "Fn::GetAtt") {
        const [target, attribute] = Array.isArray(inner)
          ? (inner as unknown[])
          : String(inner).split(/\.(.*)/s);
        checkGetAtt(String(target), String(attribute), path);
      } else if (key === "Fn::Sub") {
        const text = Array.isArray(inner) ? inner[0] : inner;
        const vars = Array.isArray(inner) && isRecord(inner[1]) ? inner[1] : {};
        if (typeof text === "string") {
          for (const m of text.matchAll(/\$\{(?!!)([^}]+)\}/g)) {
            const [name, ...attribute] = (m[1] ?? "").split(".");
            if (name === undefined || name in vars || name.startsWith("AWS::")) continue;
            if (attribute.length > 0) checkGetAtt(name, attribute.join("."), path);
            else if (!(name in resources) && !(name in parameters)) {
              problems.push(`${path}: Fn::Sub names missing \${${name}}`);
            }
          }
        }
      } else if (key === "Fn::If" || (key === "Condition" && typeof inner === "string")) {
        // (An IAM statement's `Condition` is an object, not a condition name.)
        const name = key === "Condition" ? inner : Array.isArray(inner) ? inner[0] : undefined;
        if (typeof name !== "string" || !(name in conditions)) {
          problems.push(`${path}: ${key} names missing condition ${String(name)}`);
        }
      }
      checkReferences(inner, `${path}.${key}`);
    }
  };

  const checkGetAtt = (target: string, attribute: string, path: string): void => {
    const resource = resources[target];
    if (resource === undefined) {
      problems.push(`${path}: Fn::GetAtt of missing resource ${target}`);
      return;
    }
    const type = String(resource.Type);
    if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") return;
    const known = spec.resources.get(type);
    if (known !== undefined && !(attribute in known.attributes)) {
      problems.push(
        `${path}: Fn::GetAtt ${target}.${attribute}: ${type} has no attribute ${attribute}`,
      );
    }
  };

  const checkValue = (value: unknown, type: SpecType, path: string): void => {
    const fn = intrinsic(value);
    if (fn === "Fn::If" && isRecord(value)) {
      // Either branch may be deployed: each must be valid (AWS::NoValue removes the property).
      const branches = (value["Fn::If"] as unknown[]).slice(1);
      branches.forEach((branch, i) => {
        if (!(isRecord(branch) && branch.Ref === "AWS::NoValue")) {
          checkValue(branch, type, `${path}<${i === 0 ? "true" : "false"}>`);
        }
      });
      return;
    }
    if (fn !== undefined) return;
    switch (type.type) {
      case "string":
      case "date-time":
        if (typeof value !== "string" && typeof value !== "number") {
          problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
        } else if (type.allowedValues && !type.allowedValues.includes(String(value))) {
          problems.push(
            `${path}: ${JSON.stringify(value)} is not one of ${type.allowedValues.join(", ")}`,
          );
        }
        return;
      case "integer":
      case "number": {
        const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (
          typeof n !== "number" ||
          !Number.isFinite(n) ||
          (type.type === "integer" && !Number.isInteger(n))
        ) {
          problems.push(
            `${path}: expected ${type.type === "integer" ? "an integer" : "a number"}, got ${JSON.stringify(value)}`,
          );
        }
        return;
      }
      case "boolean":
        if (typeof value !== "boolean" && value !== "true" && value !== "false") {
          problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
        }
        return;
      case "json":
        return;
      case "array":
        if (!Array.isArray(value)) {
          problems.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
          return;
        }
        value.forEach((v, i) => {
          if (type.element) checkValue(v, type.element, `${path}[${i}]`);
        });
        return;
      case "map":
        if (!isRecord(value)) {
          problems.push(`${path}: expected a map, got ${JSON.stringify(value)}`);
          return;
        }
        for (const [k, v] of Object.entries(value)) {
          if (type.element) checkValue(v, type.element, `${path}.${k}`);
        }
        return;
      case "tag":
        checkObject(
          value,
          {
            Key: { type: { type: "string" }, required: true },
            Value: { type: { type: "string" }, required: true },
          },
          path,
        );
        return;
      case "union": {
        const options = type.types ?? [];
        const saved = problems.length;
        const fits = options.some((option) => {
          const before = problems.length;
          checkValue(value, option, path);
          const ok = problems.length === before;
          problems.length = before;
          return ok;
        });
        problems.length = saved;
        if (!fits)
          problems.push(`${path}: ${JSON.stringify(value)} fits none of the union's types`);
        return;
      }
      case "ref": {
        const def = spec.types.get(type.reference?.$ref ?? "");
        if (def === undefined) {
          problems.push(`${path}: specification has no type ${type.reference?.$ref}`);
          return;
        }
        checkObject(value, def.properties, path);
        return;
      }
      default:
        problems.push(`${path}: specification type ${type.type} unknown to this check`);
    }
  };

  const checkObject = (
    value: unknown,
    properties: Record<string, SpecProperty>,
    path: string,
  ): void => {
    if (!isRecord(value)) {
      problems.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
      return;
    }
    for (const [name, inner] of Object.entries(value)) {
      const property = properties[name];
      if (property === undefined) {
        problems.push(`${path}.${name}: no such property`);
        continue;
      }
      if (isRecord(inner) && inner.Ref === "AWS::NoValue") continue;
      checkValue(inner, property.type, `${path}.${name}`);
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in value))
        problems.push(`${path}.${name}: required, missing`);
    }
  };

  for (const [id, resource] of Object.entries(resources)) {
    const type = String(resource.Type);
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) problems.push(`${id}: unknown resource key ${key}`);
    }
    for (const key of ["DeletionPolicy", "UpdateReplacePolicy"]) {
      if (key in resource && !POLICIES.has(String(resource[key]))) {
        problems.push(
          `${id}.${key}: ${JSON.stringify(resource[key])} is not one of ${[...POLICIES].join(", ")}`,
        );
      }
    }
    if (resource.Condition !== undefined && !(String(resource.Condition) in conditions)) {
      problems.push(`${id}: Condition names missing condition ${String(resource.Condition)}`);
    }
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const target of dependsOn) {
      if (!(String(target) in resources))
        problems.push(`${id}: DependsOn missing ${String(target)}`);
    }
    checkReferences(resource.Properties, `${id}.Properties`);
    if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") continue;
    const known = spec.resources.get(type);
    if (known === undefined) {
      problems.push(`${id}: no resource type ${type}`);
      continue;
    }
    checkObject(resource.Properties ?? {}, known.properties, `${id}.Properties`);
  }
  for (const [name, condition] of Object.entries(conditions)) {
    checkReferences(condition, `Conditions.${name}`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && !(String(output.Condition) in conditions)) {
      problems.push(
        `Outputs.${name}: Condition names missing condition ${String(output.Condition)}`,
      );
    }
    checkReferences(output.Value, `Outputs.${name}.Value`);
  }
  return problems;
}
