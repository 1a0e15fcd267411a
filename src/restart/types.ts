/** Shared shapes of `mesh rollout-restart`: selection → plan → outcome. Plain data only. */
import type { KubeObject } from '../model/k8s.js';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Which workloads to take: pods with (or due) a sidecar, every workload, or only those with an outdated sidecar. */
export type SelectionMode = 'injected' | 'all' | 'outdated';

/** Everything selection and planning read, fetched once by collect.ts. */
export interface ClusterSnapshot {
  /** The namespaces in scope (objects, for their labels). */
  namespaces: KubeObject[];
  deployments: KubeObject[];
  statefulSets: KubeObject[];
  daemonSets: KubeObject[];
  replicaSets: KubeObject[];
  pods: KubeObject[];
  /** Pods that match -l (only when a label selector was given; used for bare pods and Jobs). */
  selectedPods?: KubeObject[];
  podDisruptionBudgets: KubeObject[];
  /** HorizontalPodAutoscalers (autoscaling/v2) in scope: a workload one scales starts its rollout only while it is not scaling. */
  horizontalPodAutoscalers: KubeObject[];
  /** ConfigMaps named istio-sidecar-injector[-REV] in the Istio namespace (only read for --outdated). */
  injectorConfigMaps: KubeObject[];
  /** Revision tag → revision, from MutatingWebhookConfigurations labelled istio.io/tag. */
  revisionTags: Record<string, string>;
}

/** A workload that selection took, with the reason and the pods it owns. */
export interface Candidate {
  kind: WorkloadKind;
  obj: KubeObject;
  pods: KubeObject[];
  /** Why it was selected, for the plan ("3 pods with sidecar", "proxy image …:1.30.0, injector has …:1.31.0"). */
  reason: string;
  /** Pods whose sidecar is outdated (only in outdated mode). */
  outdatedPods: string[];
}

/** Something selection found that cannot be rolled: bare pods and Jobs. */
export interface ManualItem {
  /** Pod, Job, ReplicaSet, or the kind of whatever else owns the pods. */
  kind: string;
  namespace: string;
  name: string;
  reason: string;
}

export type PlanAction = 'restart' | 'delete-pods' | 'skip' | 'manual';

export type PlanFlag = 'paused' | 'downtime' | 'pdb-blocks' | 'ondelete' | 'not-rollable' | 'opted-out' | 'hpa';

/** The workload annotation that keeps rollout-restart away from it (value `skip`). */
export const RESTART_ANNOTATION = 'mesh.istio.io/restart';

export interface PlanItem {
  kind: string;
  namespace: string;
  name: string;
  apiVersion: string;
  /** Desired replicas (DaemonSet: desiredNumberScheduled); undefined for manual items without a count. */
  replicas: number | undefined;
  action: PlanAction;
  flags: PlanFlag[];
  /** Why it was selected. */
  reason: string;
  /** Safety notes a person should read (why skipped, why flagged). */
  notes: string[];
  /** Default progress deadline in ms (Deployment: progressDeadlineSeconds; others: 600 s). */
  progressDeadlineMs: number;
  /** For delete-pods: the pods to delete, in order. */
  pods: string[];
  /** The workload's pod selector as a label selector string (matchLabels and matchExpressions), to find its pods. */
  selector?: string;
  /** The HorizontalPodAutoscaler that scales it: its rollout starts only while that one is not scaling. */
  hpa?: string;
  /** The pod template's current restartedAt annotation, if any. */
  lastRestartedAt?: string;
  /**
   * How many of its pods its own rollout may take down at once (see budget.ts), for
   * --max-unavailable-per-namespace; set on workloads, not on manual items.
   */
  unavailableBudget?: number;
}

export type Result = 'restarted' | 'failed' | 'timeout' | 'skipped' | 'manual' | 'interrupted' | 'not-started' | 'planned';

export interface Outcome {
  item: PlanItem;
  result: Result;
  /** Milliseconds from the patch to the end of the rollout (0 when not started). */
  durationMs: number;
  /** One line: what happened ("3/3 updated", "exceeded its progress deadline"). */
  message: string;
  /** Why the rollout failed, from its pods (ImagePullBackOff, CrashLoopBackOff, Unschedulable, not ready). */
  problems: string[];
}
