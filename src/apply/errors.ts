import { ClusterError, InputError, MeshError } from '../errors.js';
import { KubeApiError, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { slashName } from './labels.js';

/**
 * One-line error naming the object and the cause. The real client's messages already start with
 * what was being done (`apply Deployment ns/name: ...`); anything else gets the object prefixed.
 */
export function kubeFailure(err: unknown, what: KubeObject | string): MeshError {
  if (err instanceof MeshError) return err;
  const name = typeof what === 'string' ? what : slashName(what);
  if (err instanceof KubeApiError) {
    const hint =
      err.status === 403 && !err.message.includes('kubectl auth can-i')
        ? ' (check that your account may do this: kubectl auth can-i)'
        : err.status === 409
          ? ' (someone else changed it; re-run to converge)'
          : '';
    const message = err.message.includes(err.target) || err.message.startsWith(name) ? err.message : `${name}: ${err.message}`;
    // The server refused what was rendered (an unknown field, a bad value from an overlay or
    // --set): bad input, exit 65, not a cluster failure.
    if (rejectedInput(err))
      return new InputError(`${message.replace(/\s*\n\s*/g, ' ')} (the rendered object is invalid: check the IstioOperator file and --set values)`, {
        cause: err,
      });
    return new ClusterError(`${message}${hint}`, { cause: err });
  }
  if (err instanceof NotServedError) return new ClusterError(`${name}: ${err.message}`, { cause: err });
  return new ClusterError(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** A 400/422 answer to writing a rendered object: the object itself is wrong. */
function rejectedInput(err: KubeApiError): boolean {
  if (err.status !== 422 && !(err.status === 400 && (err.reason === 'BadRequest' || err.reason === ''))) return false;
  return /^(apply|create) /.test(err.target);
}
