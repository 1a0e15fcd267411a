/**
 * IST0139 (istioctl's webhook.Analyzer): Istio injection webhooks that would inject the same pod twice,
 * or that call a control-plane Service that does not exist.
 *
 * Overlaps: the webhooks of every MutatingWebhookConfiguration that is Istio's (a webhook named
 * `*.istio.io`, or a revision in its istio.io/rev label or selectors) are tried against the label
 * combinations that decide injection — namespaces with no label, `istio-injection=enabled|disabled`,
 * each with and without `istio.io/rev=<each revision>`, times pods with no label,
 * `sidecar.istio.io/inject=true|false`, each with and without `istio.io/rev=<each revision>`. Any
 * combination taken by two webhooks or more is an overlap (e.g. a revision tag `default` next to an
 * injector that was not deactivated, after an interrupted install). One finding per webhook, naming
 * every webhook it overlaps with.
 *
 * Services: a webhook whose clientConfig names a Service that is not there. Judged only when the Services
 * of that namespace are in view: the configuration came from the cluster, or files hold Services there.
 */
import { INJECTION_LABEL, SIDECAR_INJECT, REVISION_LABEL, type Webhook, isIstioWebhookName, webhookSelects, webhooksOf } from '../lib/injection.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, recordsIn, stringOrUndefined, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'webhook.Analyzer',
  description: 'Checks that Istio injection webhooks do not overlap and point at existing Services',
  inputs: ['MutatingWebhookConfiguration', 'Service'],
  codes: ['IST0139'],
};

/** Revisions a configuration is about: its istio.io/rev label and the istio.io/rev values its selectors name. */
function revisionsOf(config: Resource, hooks: readonly Webhook[]): string[] {
  const revs = new Set<string>();
  const label = config.object.metadata.labels?.[REVISION_LABEL];
  if (label !== undefined) revs.add(label);
  for (const w of hooks) {
    for (const sel of [w.namespaceSelector, w.objectSelector]) {
      const s = asRecord(sel);
      const v = stringOrUndefined(asRecord(s['matchLabels'])[REVISION_LABEL]);
      if (v !== undefined) revs.add(v);
      for (const e of recordsIn(s['matchExpressions'])) if (e['key'] === REVISION_LABEL) for (const x of stringsIn(e['values'])) revs.add(x);
    }
  }
  return [...revs];
}

function withRevisions(base: readonly Record<string, string>[], revisions: readonly string[]): Record<string, string>[] {
  return [...base, ...revisions.flatMap((rev) => base.map((b) => ({ ...b, [REVISION_LABEL]: rev })))];
}

const id = (w: Webhook): string => `${w.config.name}/${w.name}`;

export function analyze(ctx: AnalysisContext): void {
  const hooks: Webhook[] = [];
  const revisions = new Set<string>();
  for (const config of ctx.list('MutatingWebhookConfiguration')) {
    const ws = webhooksOf(config);
    const revs = revisionsOf(config, ws);
    if (revs.length === 0 && !ws.some((w) => isIstioWebhookName(w.name))) continue;
    hooks.push(...ws);
    for (const r of revs) revisions.add(r);
  }
  if (hooks.length === 0) return;

  const revs = [...revisions].sort();
  const nsSets = withRevisions([{}, { [INJECTION_LABEL]: 'enabled' }, { [INJECTION_LABEL]: 'disabled' }], revs);
  const podSets = withRevisions([{}, { [SIDECAR_INJECT]: 'true' }, { [SIDECAR_INJECT]: 'false' }], revs);
  const overlaps = new Map<Webhook, Set<string>>();
  for (const ns of nsSets) {
    for (const pod of podSets) {
      const taking = hooks.filter((w) => webhookSelects(w, ns, pod));
      if (taking.length < 2) continue;
      for (const w of taking) {
        let others = overlaps.get(w);
        if (!others) overlaps.set(w, (others = new Set()));
        for (const o of taking) if (o !== w) others.add(id(o));
      }
    }
  }
  for (const [w, others] of overlaps) {
    ctx.report(
      'IST0139',
      w.config,
      { error: `Webhook ${w.name} overlaps with [${[...others].sort().join(' ')}]: a pod that both select would be injected twice.` },
      { path: ['webhooks', w.index, 'name'] },
    );
  }

  for (const w of hooks) {
    const service = asRecord(asRecord(w.hook['clientConfig'])['service']);
    const ns = stringOrUndefined(service['namespace']);
    const name = stringOrUndefined(service['name']);
    if (ns === undefined || name === undefined) continue;
    if (ctx.find('Service', ns, name) !== undefined) continue;
    if (w.config.origin.cluster !== true && ctx.list('Service', { namespace: ns }).length === 0) continue;
    ctx.report(
      'IST0139',
      w.config,
      { error: `Webhook ${w.name} calls the control plane Service ${ns}/${name}, which does not exist.` },
      { path: ['webhooks', w.index, 'clientConfig', 'service', 'name'] },
    );
  }
}
