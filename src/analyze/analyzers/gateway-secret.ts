/**
 * The secrets a Gateway's servers name in `tls.credentialName` / `tls.credentialNames` are read by the
 * gateway workloads, so they must live in the namespace of those workloads (not of the Gateway):
 * IST0101 when one is missing there, IST0161 when it exists but holds no usable certificate — neither
 * `cert`+`key` nor `tls.crt`+`tls.key` with values, or a certificate that is not PEM-encoded X.509.
 * IST0101 also when the Gateway's selector matches no workload.
 *
 * Workloads are Pods and Deployment pod templates; "matches nothing" is only said when Pods are in
 * view, and a secret is only said to be missing from a namespace where gateway Pods run (a Deployment
 * from files says where the secret must be, not that it should be among the files). A Secret's
 * content is only judged when it is known: Secrets are read from a cluster as metadata only, except those Gateways name (src/analyze/io/cluster.ts). Expiry is not checked (analysis has no clock). `ns/name` names a secret in that namespace;
 * names with a scheme (`sds://…`) are not Kubernetes secrets and are skipped.
 */
import { labelSelectorString } from '../../model/label-selector.js';
import { X509Certificate } from 'node:crypto';
import { WorkloadIndex } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath, Resource } from '../types.js';
import { asRecord, isRecord, recordsIn, stringOrUndefined, stringRecord, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'gateway.SecretAnalyzer',
  description: "Checks a Gateway's credentialName secrets exist where its workloads run and hold a usable certificate",
  inputs: ['Gateway', 'Pod', 'Deployment', 'Secret'],
  codes: ['IST0101', 'IST0161'],
};

export function analyze(ctx: AnalysisContext): void {
  const gateways = ctx.list('Gateway');
  if (gateways.length === 0) return;
  const workloads = WorkloadIndex.of(ctx, ['Pod', 'Deployment']);
  const verdicts = new Map<Resource, boolean | undefined>();

  for (const gw of gateways) {
    const spec = asRecord(gw.object['spec']);
    const selector = stringRecord(spec['selector']);
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) continue;
    const matched = workloads.select(selector);
    if (matched.length === 0) {
      if (ctx.settings.cluster === true || workloads.hasKind('Pod'))
        ctx.report(
          'IST0101',
          gw,
          { reftype: 'selector', refval: labelSelectorString({ matchLabels: selector }, { sortLabels: true }) },
          { path: ['spec', 'selector', keys[0] ?? ''] },
        );
      continue;
    }
    const namespaces = [...new Set(matched.map((w) => w.namespace))].sort();
    // Where gateway Pods run, a missing secret is a fact; where only a Deployment from files is seen,
    // the secret may well be created elsewhere (cert-manager, a sealed secret), so only content counts.
    const podNamespaces = new Set(matched.filter((w) => w.resource.id === 'Pod').map((w) => w.namespace));

    recordsIn(spec['servers']).forEach((server, i) => {
      if (!isRecord(server['tls'])) return;
      const tls = server['tls'];
      const base = ['spec', 'servers', i, 'tls'];
      const refs: { name: string; path: FieldPath }[] = [];
      const single = stringOrUndefined(tls['credentialName']);
      if (single !== undefined) refs.push({ name: single, path: [...base, 'credentialName'] });
      stringsIn(tls['credentialNames']).forEach((name, j) => refs.push({ name, path: [...base, 'credentialNames', j] }));

      for (const { name, path } of refs) {
        if (name === '' || name.includes('://')) continue;
        const slash = name.indexOf('/');
        const targets =
          slash < 0
            ? namespaces.map((ns) => [ns, name, podNamespaces.has(ns)] as const)
            : [[name.slice(0, slash), name.slice(slash + 1), podNamespaces.size > 0] as const];
        for (const [ns, secretName, judgeAbsence] of targets) {
          const secret = ctx.find('Secret', ns, secretName);
          if (!secret) {
            if (!judgeAbsence) continue;
            ctx.report('IST0101', gw, { reftype: 'credentialName', refval: name }, { path });
            break;
          }
          if (!verdicts.has(secret)) verdicts.set(secret, holdsCertificate(secret));
          if (verdicts.get(secret) === false) ctx.report('IST0161', gw, { gatewayName: gw.name, gatewayNamespace: ns }, { path });
        }
      }
    });
  }
}

/** Whether a Secret holds a server certificate and key as Istio reads them; undefined when its content is not known. */
export function holdsCertificate(secret: Resource): boolean | undefined {
  const o = secret.object;
  if (secret.origin.cluster === true && !('data' in o) && !('stringData' in o)) return undefined;
  const data = asRecord(o['data']);
  const stringData = asRecord(o['stringData']);
  const value = (key: string): Buffer | undefined => {
    const plain = stringOrUndefined(stringData[key]);
    if (plain !== undefined && plain !== '') return Buffer.from(plain, 'utf8');
    const encoded = stringOrUndefined(data[key]);
    if (encoded !== undefined && encoded !== '') {
      const bytes = Buffer.from(encoded, 'base64');
      if (bytes.length > 0) return bytes;
    }
    return undefined;
  };
  const cert =
    value('cert') !== undefined && value('key') !== undefined
      ? value('cert')
      : value('tls.crt') !== undefined && value('tls.key') !== undefined
        ? value('tls.crt')
        : undefined;
  return cert !== undefined && isPemCertificate(cert);
}

/** The first PEM block of `bytes` decodes to an X.509 certificate. */
function isPemCertificate(bytes: Buffer): boolean {
  const m = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(bytes.toString('latin1'));
  if (!m) return false;
  const body = (m[2] ?? '')
    .split(/\r?\n/)
    .filter((line) => !line.includes(':'))
    .join('')
    .replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length === 0) return false;
  try {
    new X509Certificate(Buffer.from(body, 'base64'));
    return true;
  } catch {
    return false;
  }
}
