import { shortRevision } from "../core/snapshot.js";
import type { FieldChange } from "./field-diff.js";
import {
  describeObject,
  planActions,
  planCounts,
  planHasDifferences,
  type Plan,
  type PlannedObject,
} from "./plan.js";

/** Options of {@link renderPlanText}. */
export interface RenderPlanOptions {
  /** ANSI colours: green to create, yellow to update, red to prune. */
  color?: boolean;
}

const marks = { create: "+", update: "~", prune: "-", unchanged: "=" } as const;
const colors = { create: 32, update: 33, prune: 31, unchanged: 2 } as const;

/** Longest value shown in a text diff line; `-o json` has them whole. */
const maxValueChars = 120;

/**
 * A plan for people: per cluster, in apply order, one line per object (`+` create, `~` update
 * with a line per field, `-` prune, `=` unchanged; kube-bind's own CRDs in one line while they are
 * unchanged), then the bindings that cannot be applied and a count of each action.
 */
export function renderPlanText(plan: Plan, options: RenderPlanOptions = {}): string {
  const paint = (code: number, text: string) =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const lines: string[] = [`Plan of revision ${shortRevision(plan.revision)}`];
  if (plan.refused) {
    lines.push("", `The revision would be refused, nothing applied: ${plan.refused}`);
    return lines.join("\n") + "\n";
  }
  for (const cluster of plan.clusters) {
    lines.push("", `${cluster.cluster} (${cluster.role})`);
    if (cluster.unreachable) {
      lines.push(`  ! unreachable, not planned: ${cluster.unreachable}`);
      continue;
    }
    const kubeBindUnchanged = cluster.objects.filter(
      (o) => isKubeBindCrd(o) && o.action === "unchanged",
    );
    if (kubeBindUnchanged.length > 0) {
      lines.push(
        paint(colors.unchanged, `  = kube-bind's CRDs: ${kubeBindUnchanged.length} unchanged`),
      );
    }
    for (const object of cluster.objects) {
      if (kubeBindUnchanged.includes(object)) continue;
      lines.push(paint(colors[object.action], `  ${objectLine(object)}`));
      for (const change of object.changes ?? []) lines.push(`      ${changeLine(change)}`);
    }
    if (cluster.objects.length === 0) lines.push("  (nothing)");
  }
  if (plan.blocked.length > 0) {
    lines.push("", "Bindings a reconcile cannot apply:");
    for (const b of plan.blocked) lines.push(`  ! ${b.binding}: ${b.reason}`);
  }
  const counts = planCounts(plan);
  lines.push(
    "",
    `Plan: ${planActions.map((a) => `${counts[a]} ${a === "unchanged" ? a : `to ${a}`}`).join(", ")}.` +
      (planHasDifferences(plan) ? "" : " No differences."),
  );
  return lines.join("\n") + "\n";
}

/**
 * The plan as `-o json` prints it (docs/plan-json.md): the plan, whether it has differences, and
 * the counts. Within a `version`, fields are only ever added.
 */
export function planJson(plan: Plan): string {
  return (
    JSON.stringify(
      { version: 1, ...plan, differences: planHasDifferences(plan), counts: planCounts(plan) },
      null,
      2,
    ) + "\n"
  );
}

function objectLine(object: PlannedObject): string {
  const action = object.replace ? "replace" : object.action;
  const notes = [
    ...(object.binding ? [`binding ${object.binding}`] : []),
    ...(object.reason ? [object.reason] : []),
  ];
  return `${marks[object.action]} ${action.padEnd(10)} ${describeObject(object)}${
    notes.length > 0 ? `  (${notes.join("; ")})` : ""
  }`;
}

function changeLine(change: FieldChange): string {
  const by = change.changedBy ? `  (set by ${change.changedBy.join(", ")})` : "";
  switch (change.op) {
    case "add":
      return `${change.path}: + ${show(change.desired)}${by}`;
    case "remove":
      return `${change.path}: - ${show(change.live)}${by}`;
    case "change":
      return `${change.path}: ${show(change.live)} → ${show(change.desired)}${by}`;
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > maxValueChars ? `${text.slice(0, maxValueChars - 1)}…` : text;
}

function isKubeBindCrd(object: PlannedObject): boolean {
  return object.kind === "CustomResourceDefinition" && object.name.endsWith(".kube-bind.io");
}
