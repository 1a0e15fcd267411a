/**
 * IST0126 (istioctl's meshnetworks.MeshNetworksAnalyzer): a network of meshNetworks lists an endpoint
 * `fromRegistry` that names no known service registry.
 *
 * meshNetworks is the `meshNetworks` key of the mesh ConfigMap (`istio`, or `istio-<rev>` with `-r`) in
 * the Istio namespace, as mesh installs it. Known registries: Kubernetes, External and Mock (Istio's
 * built-in providers), this cluster's ID (`global.multiCluster.clusterName` in the injector values), and
 * the clusters of remote secrets (Secrets labelled `istio/multiCluster=true`: their data keys, or their
 * `networking.istio.io/cluster` annotation). When a remote secret is in view without either (Secrets are
 * read from a cluster as metadata only), the registries cannot be known and nothing is reported.
 */
import { injectorConfigMapName, injectorValues } from '../../model/injection.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { parseKubeYamlValue } from '../../model/yaml.js';
import { asRecord, isRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'meshnetworks.MeshNetworksAnalyzer',
  description: 'Checks that meshNetworks endpoints name known service registries',
  inputs: ['ConfigMap', 'Secret'],
  codes: ['IST0126'],
};

const BUILT_IN = ['Kubernetes', 'External', 'Mock'];

export function analyze(ctx: AnalysisContext): void {
  const { istioNamespace, revision } = ctx.settings;
  const meshName = revision === '' || revision === 'default' ? 'istio' : `istio-${revision}`;
  const cm = ctx.find('ConfigMap', istioNamespace, meshName);
  const raw = stringOrUndefined(asRecord(cm?.object['data'])['meshNetworks']);
  if (!cm || raw === undefined) return;
  let doc: unknown;
  try {
    doc = parseKubeYamlValue(raw);
  } catch {
    return; // not YAML: istiod rejects it; nothing to say about registries
  }
  const networks = asRecord(asRecord(doc)['networks']);
  const used: { network: string; registry: string }[] = [];
  for (const [network, n] of Object.entries(networks)) {
    for (const e of recordsIn(asRecord(n)['endpoints'])) {
      const registry = stringOrUndefined(e['fromRegistry']);
      if (registry !== undefined && registry !== '') used.push({ network, registry });
    }
  }
  if (used.length === 0) return;

  const known = new Set(BUILT_IN);
  const injector = ctx.find('ConfigMap', istioNamespace, injectorConfigMapName(revision));
  const values = injector ? injectorValues(injector.object) : undefined;
  const clusterName = stringOrUndefined(asRecord(asRecord(values?.['global'])['multiCluster'])['clusterName']);
  if (clusterName !== undefined && clusterName !== '') known.add(clusterName);
  for (const s of ctx.list('Secret')) {
    if (s.object.metadata.labels?.['istio/multiCluster'] !== 'true') continue;
    const annotated = s.object.metadata.annotations?.['networking.istio.io/cluster'];
    if (annotated !== undefined && annotated !== '') known.add(annotated);
    const keys = [s.object['data'], s.object['stringData']].filter(isRecord).flatMap((d) => Object.keys(d));
    for (const k of keys) known.add(k);
    if (keys.length === 0 && (annotated === undefined || annotated === '')) return; // a remote cluster we cannot name
  }
  for (const u of used) {
    if (!known.has(u.registry)) ctx.report('IST0126', cm, { serviceregistry: u.registry, network: u.network }, { path: ['data', 'meshNetworks'] });
  }
}
