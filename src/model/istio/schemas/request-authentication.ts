/** security.istio.io RequestAuthentication (istio/api security/v1beta1/request_authentication.proto, jwt.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import {
  arr,
  atMostOneRule,
  bool,
  cel,
  duration,
  obj,
  policyTargetReference,
  selectorOrTargetRule,
  str,
  strList,
  targetRefs,
  workloadSelectorMatchLabels,
} from './common.js';

const HTTP_URL_RULE = () => cel("url(self).getScheme() in ['https', 'http']", 'the URL must start with http:// or https://');

export const requestAuthentication: IstioKindSchema = {
  group: 'security.istio.io',
  kind: 'RequestAuthentication',
  plural: 'requestauthentications',
  singular: 'requestauthentication',
  shortNames: ['ra'],
  categories: ['istio-io', 'security-istio-io'],
  versions: ['v1', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [],
  specRequired: false,
  spec: obj(
    {
      jwtRules: arr(
        obj(
          {
            audiences: strList({}, { minLength: 1 }),
            forwardOriginalToken: bool(),
            fromCookies: strList({}, { minLength: 1 }),
            fromHeaders: arr(obj({ name: str({ minLength: 1 }), prefix: str() }, { required: ['name'] })),
            fromParams: strList({}, { minLength: 1 }),
            issuer: str({ minLength: 1 }),
            jwks: str(),
            jwks_uri: str({ minLength: 1, maxLength: 2048, 'x-kubernetes-validations': [HTTP_URL_RULE()] }),
            jwksUri: str({ minLength: 1, maxLength: 2048, 'x-kubernetes-validations': [HTTP_URL_RULE()] }),
            outputClaimToHeaders: arr(
              obj({ claim: str({ minLength: 1 }), header: str({ minLength: 1, pattern: '^[-_A-Za-z0-9]+$' }) }, { required: ['header', 'claim'] }),
            ),
            outputPayloadToHeader: str(),
            spaceDelimitedClaims: strList({ maxItems: 64 }, { minLength: 1 }),
            timeout: duration(),
          },
          { 'x-kubernetes-validations': [atMostOneRule(['jwksUri', 'jwks_uri', 'jwks'], 'only one of jwksUri, jwks_uri and jwks may be set')] },
        ),
        { maxItems: 4096 },
      ),
      selector: workloadSelectorMatchLabels(),
      targetRef: policyTargetReference(),
      targetRefs: targetRefs(),
    },
    { 'x-kubernetes-validations': [selectorOrTargetRule(['selector', 'targetRef', 'targetRefs'])] },
  ),
  deprecated: { targetRef: 'use targetRefs', 'jwtRules[].jwks_uri': 'use jwksUri' },
};
