import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { liveWorkQueues } from "../kube/work-queue.js";
import { syncWriteCounts } from "../sync/sync-writes.js";

/**
 * bindops's Prometheus metrics, named as controller-runtime and Flux name theirs so that existing
 * dashboards fit: `controller_runtime_reconcile_*` for the reconcile loop, `workqueue_*` for every
 * work queue of the process (backend and konnector controllers), `gotk_reconcile_condition` for each
 * binding's Ready, and `bindops_*` for what only bindops has (git fetches, the applied revision,
 * objects the konnector synced).
 */
export class BindopsMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileTime: Histogram<"controller">;
  readonly bindingCondition: Gauge<"kind" | "name" | "namespace" | "type" | "status">;
  readonly gitFetchDuration: Histogram;
  readonly gitFetchErrors: Counter;
  readonly appliedRevision: Gauge<"revision">;
  readonly webhookRequests: Counter<"result">;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.reconcileTotal = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller and result.",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller.",
      labelNames: ["controller"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.bindingCondition = new Gauge({
      name: "gotk_reconcile_condition",
      help: "The current condition status of a binding (1 for the status it has).",
      labelNames: ["kind", "name", "namespace", "type", "status"],
      registers,
    });
    this.gitFetchDuration = new Histogram({
      name: "bindops_git_fetch_duration_seconds",
      help: "Time to fetch the followed branch.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.gitFetchErrors = new Counter({
      name: "bindops_git_fetch_errors_total",
      help: "Fetches of the followed branch that failed.",
      registers,
    });
    this.appliedRevision = new Gauge({
      name: "bindops_applied_revision_info",
      help: "The revision last applied (1 for it, labelled by revision).",
      labelNames: ["revision"],
      registers,
    });
    this.webhookRequests = new Counter({
      name: "bindops_webhook_requests_total",
      help: "Webhook requests by result (accepted, ignored, unauthorized, invalid).",
      labelNames: ["result"],
      registers,
    });
    new Counter({
      name: "bindops_sync_objects_total",
      help: "Objects the konnector created or changed on the other cluster, by direction (up: consumer to provider; down: provider to consumer) and kind.",
      labelNames: ["direction", "kind"],
      registers,
      collect(this: Counter<"direction" | "kind">) {
        this.reset();
        for (const { direction, kind, count } of syncWriteCounts()) {
          this.inc({ direction, kind }, count);
        }
      },
    });
    this.registerWorkQueues();
  }

  /** Records a reconcile of the loop and each binding's Ready. */
  recordReconcile(
    result: "success" | "error",
    seconds: number,
    bindings: readonly { consumer: string; binding: string; ready: string }[] = [],
  ): void {
    this.reconcileTotal.inc({ controller: "bindops-run", result });
    this.reconcileTime.observe({ controller: "bindops-run" }, seconds);
    for (const b of bindings) {
      for (const status of ["True", "False", "Unknown"]) {
        this.bindingCondition.set(
          { kind: "ServiceBinding", name: b.binding, namespace: b.consumer, type: "Ready", status },
          b.ready === status ? 1 : 0,
        );
      }
    }
  }

  recordRevision(revision: string): void {
    this.appliedRevision.reset();
    this.appliedRevision.set({ revision }, 1);
  }

  /** `workqueue_*` gauges and counters, read from every live work queue at scrape time. */
  private registerWorkQueues(): void {
    const registers = [this.registry];
    const perQueue = (
      name: string,
      help: string,
      type: "gauge" | "counter",
      read: (m: ReturnType<ReturnType<typeof liveWorkQueues>[number]["metrics"]>) => number,
    ) => {
      const Metric = type === "gauge" ? Gauge : Counter;
      return new Metric({
        name,
        help,
        labelNames: ["name"],
        registers,
        collect(this: Gauge<"name"> | Counter<"name">) {
          this.reset();
          for (const queue of liveWorkQueues()) {
            const value = read(queue.metrics());
            if (this instanceof Gauge) this.set({ name: queue.name }, value);
            else this.inc({ name: queue.name }, value);
          }
        },
      });
    };
    perQueue("workqueue_depth", "Current depth of the work queue.", "gauge", (m) => m.depth);
    perQueue("workqueue_adds_total", "Total number of adds.", "counter", (m) => m.adds);
    perQueue("workqueue_retries_total", "Total number of retries.", "counter", (m) => m.retries);
    perQueue(
      "bindops_workqueue_queue_seconds_total",
      "Total time keys waited in the queue before being processed.",
      "counter",
      (m) => m.queueLatency.sumMs / 1000,
    );
    perQueue(
      "bindops_workqueue_work_seconds_total",
      "Total time spent processing keys.",
      "counter",
      (m) => m.workDuration.sumMs / 1000,
    );
    perQueue(
      "bindops_workqueue_in_flight",
      "Keys being processed now.",
      "gauge",
      (m) => m.inFlight,
    );
  }
}
