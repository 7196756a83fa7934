import { joinPointer } from "./finding.js";
import { asArray, asRecord } from "./lenient.js";

/** A problem in a label selector, at a pointer relative to the selector. */
export interface LabelSelectorProblem {
  pointer: string;
  message: string;
}

const qualifiedName =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Why kube-bind could not convert this `labelSelector` into a selector (as
 * `metav1.LabelSelectorAsSelector` refuses it): an unknown operator, values given to
 * Exists/DoesNotExist or missing for In/NotIn, a key that is not a qualified name or a value that
 * is not a label value. Wrong types are the schema's business and are skipped.
 */
export function labelSelectorProblems(selector: unknown): LabelSelectorProblem[] {
  const record = asRecord(selector);
  if (record === undefined) return [];
  const problems: LabelSelectorProblem[] = [];
  for (const [key, value] of Object.entries(asRecord(record.matchLabels) ?? {})) {
    const keyProblem = labelKeyProblem(key);
    const badValue = typeof value === "string" && !isLabelValue(value) ? value : undefined;
    if (keyProblem === undefined && badValue === undefined) continue;
    const at = joinPointer("matchLabels", key);
    if (keyProblem) problems.push({ pointer: at, message: keyProblem });
    if (badValue !== undefined) {
      problems.push({ pointer: at, message: `label value "${badValue}" of ${key} ${valueRule}` });
    }
  }
  asArray(record.matchExpressions).forEach((entry, i) => {
    const expression = asRecord(entry);
    if (expression === undefined) return;
    const at = joinPointer("matchExpressions", i);
    const { key, operator, values } = expression;
    if (typeof key === "string") {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) problems.push({ pointer: at + joinPointer("key"), message: keyProblem });
    }
    if (typeof operator !== "string") return;
    const count = Array.isArray(values) ? values.length : 0;
    switch (operator) {
      case "In":
      case "NotIn":
        if (count === 0) {
          problems.push({
            pointer: at,
            message: `operator ${operator} needs at least one value`,
          });
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (count > 0) {
          problems.push({
            pointer: at + joinPointer("values"),
            message: `operator ${operator} takes no values`,
          });
        }
        break;
      default:
        problems.push({
          pointer: at + joinPointer("operator"),
          message: `unknown operator "${operator}" (use In, NotIn, Exists or DoesNotExist)`,
        });
        return;
    }
    asArray(values).forEach((value, j) => {
      if (typeof value === "string" && !isLabelValue(value)) {
        problems.push({
          pointer: at + joinPointer("values", j),
          message: `label value "${value}" ${valueRule}`,
        });
      }
    });
  });
  return problems;
}

const valueRule =
  "is not a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)";

function isLabelValue(value: string): boolean {
  return value.length <= 63 && labelValue.test(value);
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? "" : key.slice(0, slash);
  if (qualifiedName.test(key) && name.length <= 63 && prefix.length <= 253) return undefined;
  return `label key "${key}" is not a qualified name ([prefix/]name: a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, after an optional DNS subdomain prefix)`;
}
