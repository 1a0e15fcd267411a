/**
 * The install record: what an installation was made from, kept in the cluster beside it (as istioctl
 * keeps the IstioOperator it installed), so that verify-install with no flags checks what was
 * installed, and uninstall can tell what another revision still renders. One ConfigMap per revision
 * in the control-plane namespace, `mesh-install-<revision>`, owned by the revision's Pilot component:
 * a re-install rewrites it, uninstalling the revision removes it.
 */
import { type KubeClient, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { COMPONENT_LABEL } from './components.js';
import { kubeFailure } from './errors.js';
import { REVISION_LABEL, revisionLabelValue } from './labels.js';

/** Marks the record ConfigMap (a label, so the records of every namespace are one list call away). */
export const RECORD_LABEL = 'mesh/install-record';

export function recordName(revision: string | undefined): string {
  return `mesh-install-${revisionLabelValue(revision)}`;
}

export interface RecordInput {
  /** The merged, validated IstioOperator the install rendered. */
  iop: unknown;
  /** The profile's name as the user gave it (a built-in name or a file). */
  profile: string;
  /** Whether `profile` is a built-in profile; a profile file is not re-read: the merged spec holds it. */
  builtinProfile: boolean;
  revision: string | undefined;
  namespace: string;
  version: string;
  /** The flags, for people reading the record: -f file names and --set values. */
  files: readonly string[];
  sets: readonly string[];
}

export interface InstallRecord {
  /** `ConfigMap ns/name`, for messages. */
  source: string;
  revision: string;
  namespace: string;
  profile: string;
  version: string;
  /** The merged IstioOperator as JSON text: render it (with no other input) to get the install again. */
  iop: string;
  files: string[];
  sets: string[];
}

/** The record object for an install (pure). Re-rendering `data.iop` alone gives the same objects. */
export function installRecord(i: RecordInput): KubeObject {
  const iop = structuredClone(i.iop) as { spec?: Record<string, unknown> };
  // The merged spec already holds everything the profile file said; render it on the empty profile.
  if (!i.builtinProfile && iop.spec !== undefined) iop.spec['profile'] = 'empty';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(i.revision),
      namespace: i.namespace,
      labels: { [RECORD_LABEL]: 'true', [COMPONENT_LABEL]: 'Pilot', [REVISION_LABEL]: revisionLabelValue(i.revision) },
    },
    data: {
      profile: i.profile,
      revision: revisionLabelValue(i.revision),
      version: i.version,
      files: JSON.stringify(i.files),
      sets: JSON.stringify(i.sets),
      iop: JSON.stringify(iop),
    },
  };
}

/** True for an install-record ConfigMap (labelled as mesh writes them). */
export function isInstallRecord(o: KubeObject): boolean {
  return o.kind === 'ConfigMap' && o.metadata.labels?.[RECORD_LABEL] === 'true';
}

/** A record ConfigMap read back; undefined when it is not one (or was edited into something else). */
export function parseRecord(cm: KubeObject): InstallRecord | undefined {
  if (!isInstallRecord(cm)) return undefined;
  const data = (cm['data'] ?? {}) as Record<string, unknown>;
  const text = (k: string): string | undefined => {
    const v = data[k];
    return typeof v === 'string' ? v : undefined;
  };
  const strings = (k: string): string[] => {
    try {
      const v: unknown = JSON.parse(text(k) ?? '[]');
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  };
  const iop = text('iop');
  const profile = text('profile');
  if (iop === undefined || profile === undefined) return undefined;
  return {
    source: `ConfigMap ${cm.metadata.namespace ?? ''}/${cm.metadata.name ?? ''}`,
    revision: text('revision') ?? cm.metadata.labels?.[REVISION_LABEL] ?? 'default',
    namespace: cm.metadata.namespace ?? '',
    profile,
    version: text('version') ?? '',
    iop,
    files: strings('files'),
    sets: strings('sets'),
  };
}

/** Every install record in the cluster, sorted by revision (default first). */
export async function readInstallRecords(kube: KubeClient): Promise<InstallRecord[]> {
  let cms: KubeObject[];
  try {
    cms = await kube.list('v1', 'ConfigMap', { labelSelector: `${RECORD_LABEL}=true` });
  } catch (err) {
    if (err instanceof NotServedError) return [];
    throw kubeFailure(err, 'list install records (ConfigMaps)');
  }
  return cms
    .map(parseRecord)
    .filter((r): r is InstallRecord => r !== undefined)
    .sort((a, b) => (a.revision === 'default' ? -1 : b.revision === 'default' ? 1 : a.revision.localeCompare(b.revision)));
}

export type RecordChoice = { found: InstallRecord; others: InstallRecord[] } | { found: undefined; reason: string; others: InstallRecord[] };

/**
 * The record verify-install checks against: the one of `revision` when given; else the only one, or
 * the default revision's when there are several (the others are named so the user can pick).
 */
export function chooseRecord(records: readonly InstallRecord[], revision: string | undefined): RecordChoice {
  if (revision !== undefined) {
    const want = revisionLabelValue(revision);
    const found = records.find((r) => r.revision === want);
    const others = records.filter((r) => r !== found);
    return found ? { found, others } : { found: undefined, reason: `no install record of revision ${want}`, others };
  }
  if (records.length === 0) return { found: undefined, reason: 'no install record in the cluster', others: [] };
  const found = records.find((r) => r.revision === 'default') ?? (records.length === 1 ? records[0] : undefined);
  if (found === undefined)
    return {
      found: undefined,
      reason: `several revisions are installed (${records.map((r) => r.revision).join(', ')}): say which with -r`,
      others: [...records],
    };
  return { found, others: records.filter((r) => r !== found) };
}
