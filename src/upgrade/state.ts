/**
 * `mesh upgrade`: the upgrade's state, kept in the cluster so that a re-run resumes where the last
 * one stopped. One ConfigMap, `mesh-upgrade`, in the control-plane namespace; its `state` key holds
 * JSON (no Secret data: revisions, namespace names, label values, step notes). Pure: the ConfigMap
 * is read and written by run.ts with a resourceVersion precondition, so two runs at once cannot both
 * write it.
 */
import { UPGRADE_STATE_LABEL } from '../apply/labels.js';
import { InputError } from '../errors.js';
import type { KubeObject } from '../model/k8s.js';
import { asRecord, isRecord, stringOrUndefined } from '../util/narrow.js';

export const STATE_CONFIGMAP = 'mesh-upgrade';
export const STATE_LABEL = UPGRADE_STATE_LABEL;
const STATE_KEY = 'state';
const FORMAT = 1;

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepRecord {
  /** precheck | install | verify | tags | namespace/NAME | uninstall | rollback/… */
  id: string;
  status: StepStatus;
  /** One line: what the step did or why it stopped. */
  detail: string;
  /** When the step last changed (RFC 3339). */
  at: string;
}

/** A namespace label the upgrade changed, so that a rollback can put it back. */
export interface LabelChange {
  namespace: string;
  key: string;
  /** The value before; undefined when the label was added. */
  from: string | undefined;
  to: string;
}

export interface UpgradeState {
  from: string;
  to: string;
  /** in-progress: steps left; complete: every step done; rolled-back: `--rollback` finished. */
  status: 'in-progress' | 'complete' | 'rolling-back' | 'rolled-back';
  startedAt: string;
  steps: StepRecord[];
  /** Revision tags moved to `to`, with the revision each pointed to before (undefined: created). */
  tags: { tag: string; from: string | undefined }[];
  labels: LabelChange[];
  /** Namespaces whose workloads this upgrade restarted (or started to): a rollback restarts them again. */
  namespaces: string[];
}

export function newState(from: string, to: string, now: Date): UpgradeState {
  return { from, to, status: 'in-progress', startedAt: now.toISOString(), steps: [], tags: [], labels: [], namespaces: [] };
}

export function stepOf(state: UpgradeState, id: string): StepRecord | undefined {
  return state.steps.find((s) => s.id === id);
}

/** A copy of the state with the step set (added at the end when new). */
export function withStep(state: UpgradeState, id: string, status: StepStatus, detail: string, now: Date): UpgradeState {
  const rec: StepRecord = { id, status, detail, at: now.toISOString() };
  const steps = state.steps.some((s) => s.id === id) ? state.steps.map((s) => (s.id === id ? rec : s)) : [...state.steps, rec];
  return { ...state, steps };
}

export function isDone(state: UpgradeState, id: string): boolean {
  return stepOf(state, id)?.status === 'done';
}

/** The ConfigMap that holds the state (without resourceVersion: the caller sets the precondition). */
export function stateObject(state: UpgradeState, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: STATE_CONFIGMAP, namespace, labels: { [STATE_LABEL]: 'true' } },
    data: { [STATE_KEY]: JSON.stringify({ format: FORMAT, ...state }, null, 1) },
  };
}

const STATUSES: readonly UpgradeState['status'][] = ['in-progress', 'complete', 'rolling-back', 'rolled-back'];
const STEP_STATUSES: readonly StepStatus[] = ['pending', 'running', 'done', 'failed', 'skipped'];

/** The state read back; an InputError naming the ConfigMap when it is not one mesh wrote. */
export function parseState(cm: KubeObject): UpgradeState {
  const where = `ConfigMap ${cm.metadata.namespace ?? ''}/${cm.metadata.name ?? ''}`;
  const bad = (why: string): InputError =>
    new InputError(
      `${where}: not an upgrade state mesh can read (${why}); delete it to start over (kubectl delete configmap -n ${cm.metadata.namespace ?? ''} ${STATE_CONFIGMAP})`,
    );
  const text = stringOrUndefined(asRecord(cm['data'])[STATE_KEY]);
  if (text === undefined) throw bad(`no "${STATE_KEY}" key`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('its state is not JSON');
  }
  if (!isRecord(raw)) throw bad('its state is not an object');
  if (raw['format'] !== FORMAT) throw bad(`format ${String(raw['format'])}, this mesh reads format ${FORMAT}`);
  const str = (v: unknown, field: string): string => {
    if (typeof v !== 'string') throw bad(`${field} is not a string`);
    return v;
  };
  const list = (v: unknown, field: string): unknown[] => {
    if (!Array.isArray(v)) throw bad(`${field} is not a list`);
    return v as unknown[];
  };
  const status = raw['status'];
  if (!STATUSES.includes(status as UpgradeState['status'])) throw bad(`status ${JSON.stringify(status)}`);
  return {
    from: str(raw['from'], 'from'),
    to: str(raw['to'], 'to'),
    status: status as UpgradeState['status'],
    startedAt: str(raw['startedAt'], 'startedAt'),
    steps: list(raw['steps'], 'steps').map((s, i) => {
      const r = asRecord(s);
      const st = r['status'];
      if (!STEP_STATUSES.includes(st as StepStatus)) throw bad(`steps[${i}].status ${JSON.stringify(st)}`);
      return {
        id: str(r['id'], `steps[${i}].id`),
        status: st as StepStatus,
        detail: str(r['detail'] ?? '', `steps[${i}].detail`),
        at: str(r['at'] ?? '', `steps[${i}].at`),
      };
    }),
    tags: list(raw['tags'] ?? [], 'tags').map((t, i) => {
      const r = asRecord(t);
      return { tag: str(r['tag'], `tags[${i}].tag`), from: stringOrUndefined(r['from']) };
    }),
    labels: list(raw['labels'] ?? [], 'labels').map((l, i) => {
      const r = asRecord(l);
      return {
        namespace: str(r['namespace'], `labels[${i}].namespace`),
        key: str(r['key'], `labels[${i}].key`),
        from: stringOrUndefined(r['from']),
        to: str(r['to'], `labels[${i}].to`),
      };
    }),
    namespaces: list(raw['namespaces'] ?? [], 'namespaces').map((n, i) => str(n, `namespaces[${i}]`)),
  };
}
