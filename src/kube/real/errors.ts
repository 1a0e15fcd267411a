/**
 * API server answers and connection failures as KubeApiErrors: one line naming what was being done
 * to what, in RBAC terms for a 401/403, pointing at the kubeconfig for a certificate that does not verify.
 */
import { KubeApiError } from '../client.js';
import { formatTimeout } from '../../util/duration.js';

/** For a 401/403: what was refused, in RBAC terms, and who asked. */
export interface Denied {
  verb: string;
  /** e.g. pods, deployments.apps, serviceaccounts/token */
  resource: string;
  namespace?: string;
  context: string;
  server: string;
}

/** The RBAC verb and resource of an API request path (what `kubectl auth can-i` asks about). */
export function rbacOf(method: string, url: URL): { verb: string; resource: string; namespace?: string } {
  const segs = url.pathname
    .split('/')
    .filter((x) => x !== '')
    .map(decodeURIComponent);
  let group = '';
  let rest: string[];
  if (segs[0] === 'api') rest = segs.slice(2);
  else if (segs[0] === 'apis') {
    group = segs[1] ?? '';
    rest = segs.slice(3);
  } else return { verb: method.toLowerCase(), resource: url.pathname };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, sub] = rest;
  const named = name !== undefined;
  const verb =
    method === 'GET'
      ? url.searchParams.get('watch') === 'true'
        ? 'watch'
        : named
          ? 'get'
          : 'list'
      : method === 'POST'
        ? 'create'
        : method === 'PATCH'
          ? 'patch'
          : method === 'PUT'
            ? 'update'
            : named
              ? 'delete'
              : 'deletecollection';
  const full = `${resource}${sub !== undefined ? `/${sub}` : ''}${group !== '' ? `.${group}` : ''}`;
  return { verb, resource: full, ...(namespace !== undefined ? { namespace } : {}) };
}

/** Node's codes for a certificate that does not verify (not a connection problem: never retried). */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isTlsVerifyError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return TLS_VERIFY_CODES.has(e?.code ?? '') || TLS_VERIFY_CODES.has(e?.cause?.code ?? '');
}

/** The error's code (ECONNRESET, UND_ERR_SOCKET, …), or its message when it has none. */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string' && e.code !== '') return e.code;
  if (typeof e?.cause?.code === 'string' && e.cause.code !== '') return e.cause.code;
  return typeof e?.message === 'string' ? e.message : String(err);
}

function tlsDetail(err: unknown, code: string): string {
  const m = (err as { message?: unknown }).message;
  if (typeof m !== 'string' || m === code) return '';
  return m.match(/reason: (.*)$/)?.[1] ?? m;
}

/** A request that got no HTTP answer: the connection failed, or the certificate did not verify. */
export function networkError(err: unknown, target: string, server: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const code = errorCode(err);
  if (isTlsVerifyError(err)) {
    const detail = tlsDetail(err, code);
    return new KubeApiError(
      0,
      'TLSVerification',
      `${target}: the certificate of the API server at ${server} does not verify (${code}${detail ? `: ${detail}` : ''}); check the cluster's certificate-authority in the kubeconfig (mesh never turns verification off)`,
      target,
    );
  }
  return new KubeApiError(0, 'Unreachable', `${target}: cannot reach the API server at ${server} (${code})`, target);
}

export function timeoutError(target: string, server: string, timeoutMs: number): KubeApiError {
  const e = new KubeApiError(
    0,
    'Timeout',
    `${target}: the API server at ${server} did not answer within ${formatTimeout(timeoutMs)} (--request-timeout)`,
    target,
  );
  e.afterLostResponse = true;
  return e;
}

export function cancelledError(target: string, uncertain: boolean): KubeApiError {
  const e = new KubeApiError(0, 'Cancelled', `${target}: cancelled`, target);
  e.afterLostResponse = uncertain;
  return e;
}

/** An HTTP error answer (a Status object, usually) as a KubeApiError. */
export function toApiError(status: number, text: string, target: string, denied?: Denied): KubeApiError {
  let reason = '';
  let message = text.trim();
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? '';
    message = body.message ?? message;
  } catch {
    // not a Status object
  }
  if (denied !== undefined && (status === 401 || status === 403)) return permissionError(status, reason, message, target, denied);
  // Server-side apply answers 500 for an object that does not fit the schema (an unknown field):
  // it is the object that is wrong, so it is a 422 here, and never retried.
  if (status === 500 && /failed to create typed patch object|field not declared in schema/.test(message)) {
    return new KubeApiError(422, 'Invalid', `${target}: ${message.replace(/^failed to create typed patch object \([^)]*\): /, '')}`, target);
  }
  if (message === '') message = status === 401 ? 'Unauthorized' : `HTTP ${status}`;
  return new KubeApiError(status, reason, `${target}: ${message}`, target);
}

/** A 401/403 as one line: not a connection problem, and not retried. */
function permissionError(status: number, reason: string, message: string, target: string, d: Denied): KubeApiError {
  const where = d.namespace !== undefined ? ` in namespace ${d.namespace}` : d.verb === 'list' || d.verb === 'watch' ? ' in all namespaces' : '';
  const canI = `kubectl auth can-i ${d.verb} ${d.resource}${d.namespace !== undefined ? ` -n ${d.namespace}` : d.verb === 'list' || d.verb === 'watch' ? ' -A' : ''}`;
  const said = message !== '' ? `: ${message}` : '';
  if (status === 401) {
    return new KubeApiError(
      401,
      reason || 'Unauthorized',
      `${target}: permission denied: the API server at ${d.server} did not accept the credentials of context "${d.context}" (401 Unauthorized${said}); are they expired?`,
      target,
    );
  }
  return new KubeApiError(
    403,
    reason || 'Forbidden',
    `${target}: permission denied: may not ${d.verb} ${d.resource}${where} (403 Forbidden${said}; check with: ${canI})`,
    target,
  );
}
