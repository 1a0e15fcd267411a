/**
 * Istio annotations on Namespaces, Services, Pods and Deployments (their own metadata, not pod
 * templates), checked against Istio's annotation table (lib/annotations.ts). Only annotations in Istio
 * domains (`istio.io` and its subdomains) are considered; `kubectl.kubernetes.io/…` and the like are not
 * Istio's business. In order, like istioctl:
 * - IST0108: the annotation is not one Istio knows (often a typo);
 * - IST0135: it is deprecated (not for the `sidecar.istio.io/inject` annotation when the object also
 *   has the label of that name — the usual belt-and-braces);
 * - IST0107: it does not apply to this kind (e.g. a Pod annotation on a Deployment: it has to go on the
 *   pod template). Not reported on objects Istio generates for Gateways (labelled
 *   `gateway.istio.io/managed`), which inherit the Gateway's annotations;
 * - IST0125: its value is not one the sidecar injector accepts (ports, CIDR ranges, numbers, booleans,
 *   interception mode, ProxyConfig YAML).
 */
import { SIDECAR_INJECT } from '../../model/injection.js';
import { type AnnotationValue, inIstioDomain, istioAnnotation } from '../lib/annotations.js';
import type { KindId } from '../kinds.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { parseKubeYamlValue } from '../../model/yaml.js';
import { isRecord, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'annotations.K8sAnalyzer',
  description: 'Checks for misplaced, unknown, deprecated and invalid Istio annotations in Kubernetes resources',
  inputs: ['Namespace', 'Service', 'Pod', 'Deployment'],
  codes: ['IST0107', 'IST0108', 'IST0125', 'IST0135'],
};

const CHECKED: readonly KindId[] = ['Namespace', 'Service', 'Pod', 'Deployment'];
const GATEWAY_MANAGED = 'gateway.istio.io/managed';

export function analyze(ctx: AnalysisContext): void {
  for (const kind of CHECKED) {
    for (const r of ctx.list(kind)) {
      const annotations = r.object.metadata.annotations ?? {};
      const labels = stringRecord(r.object.metadata.labels);
      for (const [name, value] of Object.entries(annotations)) {
        if (!inIstioDomain(name)) continue;
        const path = ['metadata', 'annotations', name];
        const def = istioAnnotation(name);
        if (!def) {
          ctx.report('IST0108', r, { annotation: name }, { path });
          continue;
        }
        if (def.deprecated && !(name === SIDECAR_INJECT && SIDECAR_INJECT in labels)) {
          const extra = def.deprecated.instead !== undefined ? ` in favor of ${def.deprecated.instead}` : '';
          ctx.report('IST0135', r, { annotation: name, extra }, { path });
        }
        if (def.resources.includes('Any')) continue;
        if (!(def.resources as readonly string[]).includes(r.kind)) {
          if (!(GATEWAY_MANAGED in labels)) ctx.report('IST0107', r, { annotation: name, kind: def.resources.join(', ') }, { path });
          continue;
        }
        const problem = def.value !== undefined && typeof value === 'string' ? valueProblem(def.value, value) : undefined;
        if (problem !== undefined) ctx.report('IST0125', r, { annotation: name, problem }, { path });
      }
    }
  }
}

/** What is wrong with an annotation value, or undefined when the injector would accept it. */
export function valueProblem(kind: AnnotationValue, value: string): string | undefined {
  switch (kind) {
    case 'bool':
      return /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value) ? undefined : `"${value}" is not a boolean (true or false)`;
    case 'uint32':
      return /^\d+$/.test(value) && Number(value) <= 0xffffffff ? undefined : `"${value}" is not a non-negative integer`;
    case 'port':
      return isPort(value.trim()) ? undefined : `"${value}" is not a port number (0-65535)`;
    case 'ports-or-star':
      return value === '*' ? undefined : portsProblem(value);
    case 'ports':
      return portsProblem(value);
    case 'cidrs-or-star':
      return value === '*' ? undefined : cidrsProblem(value);
    case 'cidrs':
      return cidrsProblem(value);
    case 'interception-mode':
      return ['REDIRECT', 'TPROXY', 'NONE'].includes(value) ? undefined : `"${value}" is not an interception mode (REDIRECT, TPROXY or NONE)`;
    case 'proxy-config': {
      let parsed: unknown;
      try {
        parsed = parseKubeYamlValue(value);
      } catch (err) {
        return `the value is not valid YAML: ${err instanceof Error ? err.message : String(err)}`;
      }
      return parsed === null || parsed === undefined || isRecord(parsed) ? undefined : 'the value is not a ProxyConfig (a YAML map of its fields)';
    }
  }
}

/** Comma-separated ports, spaces allowed around them; empty means none. */
function portsProblem(value: string): string | undefined {
  const list = value.trim();
  if (list === '') return undefined;
  const bad = list.split(',').find((p) => !isPort(p.trim()));
  return bad === undefined ? undefined : `"${bad}" is not a port number (0-65535)`;
}

/** Comma-separated CIDR ranges, no spaces; empty means none. */
function cidrsProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const bad = value.split(',').find((c) => !isCidr(c));
  return bad === undefined ? undefined : `"${bad}" is not a CIDR range (such as 10.0.0.0/8)`;
}

function isPort(s: string): boolean {
  return /^\d+$/.test(s) && Number(s) <= 65535;
}

/** CIDR syntax as Go's netip.ParsePrefix accepts it: no spaces, no zones, no leading zeros. */
export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bits)) return false;
  if (isIPv4(addr)) return Number(bits) <= 32;
  if (isIPv6(addr)) return Number(bits) <= 128;
  return false;
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return false;
  let body = s;
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    body = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)))) return false;
  const count = groups.reduce((n, g) => n + g.length, 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}
