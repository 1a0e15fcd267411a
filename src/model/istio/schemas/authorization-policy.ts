/** security.istio.io AuthorizationPolicy (istio/api security/v1beta1/authorization.proto). */
import type { IstioKindSchema } from '../schema-types.js';
import { arr, cel, enumOf, obj, policyTargetReference, selectorOrTargetRule, str, strList, targetRefs, workloadSelectorMatchLabels } from './common.js';

export const authorizationPolicy: IstioKindSchema = {
  group: 'security.istio.io',
  kind: 'AuthorizationPolicy',
  plural: 'authorizationpolicies',
  singular: 'authorizationpolicy',
  shortNames: ['ap'],
  categories: ['istio-io', 'security-istio-io'],
  versions: ['v1', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [
    { name: 'Action', type: 'string', jsonPath: '.spec.action', description: 'The operation to take.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  specRequired: false,
  spec: obj(
    {
      action: enumOf(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']),
      provider: obj({ name: str() }),
      rules: arr(
        obj({
          from: arr(
            obj({
              source: obj(
                {
                  ipBlocks: strList(),
                  namespaces: strList(),
                  notIpBlocks: strList(),
                  notNamespaces: strList(),
                  notPrincipals: strList(),
                  notRemoteIpBlocks: strList(),
                  notRequestPrincipals: strList(),
                  notServiceAccounts: strList({ maxItems: 16 }, { maxLength: 320 }),
                  notTrustDomains: strList(),
                  principals: strList(),
                  remoteIpBlocks: strList(),
                  requestPrincipals: strList(),
                  serviceAccounts: strList({ maxItems: 16 }, { maxLength: 320 }),
                  trustDomains: strList(),
                },
                {
                  'x-kubernetes-validations': [
                    cel(
                      '!(has(self.serviceAccounts) || has(self.notServiceAccounts)) || ' +
                        '!(has(self.principals) || has(self.notPrincipals) || has(self.namespaces) || has(self.notNamespaces))',
                      'serviceAccounts and notServiceAccounts exclude principals, notPrincipals, namespaces and notNamespaces',
                    ),
                  ],
                },
              ),
            }),
            { maxItems: 512 },
          ),
          to: arr(
            obj({
              operation: obj({
                hosts: strList(),
                methods: strList(),
                notHosts: strList(),
                notMethods: strList(),
                notPaths: strList(),
                notPorts: strList(),
                paths: strList(),
                ports: strList(),
              }),
            }),
          ),
          when: arr(obj({ key: str(), notValues: strList(), values: strList() }, { required: ['key'] })),
        }),
        { maxItems: 512 },
      ),
      selector: workloadSelectorMatchLabels(),
      targetRef: policyTargetReference(),
      targetRefs: targetRefs(),
    },
    // The proto's oneof action_detail holds only `provider`.
    { oneofs: [['provider']], 'x-kubernetes-validations': [selectorOrTargetRule(['selector', 'targetRef', 'targetRefs'])] },
  ),
  deprecated: { targetRef: 'use targetRefs' },
};
