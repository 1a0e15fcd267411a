/**
 * The addresses Istio's webhooks use to reach an external control plane (istioctl's
 * externalcontrolplane.ExternalControlPlaneAnalyzer). Judged: the webhooks of ValidatingWebhookConfigurations
 * `istiod-default-validator` and `istio-validator*`, and of MutatingWebhookConfigurations
 * `istio-sidecar-injector*`.
 *  - IST0163: a webhook with neither a URL nor a Service, or a URL that does not parse as one with a host;
 *  - IST0164: a URL whose host is an IP address rather than a hostname.
 * istioctl also resolves the hostname through DNS (and reports names that do not resolve); analysis here
 * is pure, so that part is not done.
 */
import { webhooksOf } from '../lib/injection.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'externalcontrolplane.ExternalControlPlaneAnalyzer',
  description: 'Checks the webhook addresses that reach an external control plane',
  inputs: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
  codes: ['IST0163', 'IST0164'],
};

/** The host of a webhook URL, or undefined when it is not a URL with a host. */
function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.startsWith('[') && host.endsWith(']'));
}

function check(ctx: AnalysisContext, config: Resource): void {
  for (const w of webhooksOf(config)) {
    const client = asRecord(w.hook['clientConfig']);
    const url = stringOrUndefined(client['url']);
    if (url !== undefined) {
      const host = hostOf(url);
      const path = ['webhooks', w.index, 'clientConfig', 'url'];
      if (host === undefined) ctx.report('IST0163', config, { hostname: url, webhook: w.name, msg: 'was provided in an invalid format' }, { path });
      else if (isIpAddress(host)) ctx.report('IST0164', config, { hostname: url, webhook: w.name }, { path });
    } else if (client['service'] === undefined) {
      ctx.report('IST0163', config, { hostname: '', webhook: w.name, msg: 'is blank' }, { path: ['webhooks', w.index] });
    }
  }
}

export function analyze(ctx: AnalysisContext): void {
  for (const v of ctx.list('ValidatingWebhookConfiguration')) {
    if (v.name === 'istiod-default-validator' || v.name.startsWith('istio-validator')) check(ctx, v);
  }
  for (const m of ctx.list('MutatingWebhookConfiguration')) {
    if (m.name.startsWith('istio-sidecar-injector')) check(ctx, m);
  }
}
