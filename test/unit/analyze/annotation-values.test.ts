// IST0125 messages for invalid annotation values are the sidecar injector's errors (Go's strconv and
// netip parse errors), as istioctl prints them. The table was recorded from the real istioctl analyze
// (Istio 1.31 line) on pods carrying these values on the local control plane; the live oracle test
// (test/e2e/analyze-oracle.e2e.test.ts) compares the fixtures' cases the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { valueProblem } from '../../../src/analyze/analyzers/annotations-k8s.js';
import { istioAnnotation } from '../../../src/analyze/lib/annotations.js';

/** [annotation, value, istioctl's text after "Invalid annotation ANNOTATION: "] */
const RECORDED: readonly (readonly [string, string, string])[] = [
  ['prometheus.istio.io/merge-metrics', '', 'strconv.ParseBool: parsing "": invalid syntax'],
  ['prometheus.istio.io/merge-metrics', '2', 'strconv.ParseBool: parsing "2": invalid syntax'],
  ['prometheus.istio.io/merge-metrics', 'on', 'strconv.ParseBool: parsing "on": invalid syntax'],
  ['prometheus.istio.io/merge-metrics', 'yes', 'strconv.ParseBool: parsing "yes": invalid syntax'],
  ['readiness.status.sidecar.istio.io/failureThreshold', '', 'strconv.ParseUint: parsing "": invalid syntax'],
  ['readiness.status.sidecar.istio.io/failureThreshold', ' 3', 'strconv.ParseUint: parsing " 3": invalid syntax'],
  ['readiness.status.sidecar.istio.io/failureThreshold', '-1', 'strconv.ParseUint: parsing "-1": invalid syntax'],
  ['readiness.status.sidecar.istio.io/failureThreshold', '+3', 'strconv.ParseUint: parsing "+3": invalid syntax'],
  ['readiness.status.sidecar.istio.io/failureThreshold', '1.5', 'strconv.ParseUint: parsing "1.5": invalid syntax'],
  ['readiness.status.sidecar.istio.io/failureThreshold', '99999999999', 'strconv.ParseUint: parsing "99999999999": value out of range'],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', '', 'strconv.ParseUint: parsing "": invalid syntax'],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', ' 3', 'strconv.ParseUint: parsing " 3": invalid syntax'],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', '-1', 'strconv.ParseUint: parsing "-1": invalid syntax'],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', '+3', 'strconv.ParseUint: parsing "+3": invalid syntax'],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', '1.5', 'strconv.ParseUint: parsing "1.5": invalid syntax'],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', '99999999999', 'strconv.ParseUint: parsing "99999999999": value out of range'],
  ['readiness.status.sidecar.istio.io/periodSeconds', '', 'strconv.ParseUint: parsing "": invalid syntax'],
  ['readiness.status.sidecar.istio.io/periodSeconds', ' 3', 'strconv.ParseUint: parsing " 3": invalid syntax'],
  ['readiness.status.sidecar.istio.io/periodSeconds', '-1', 'strconv.ParseUint: parsing "-1": invalid syntax'],
  ['readiness.status.sidecar.istio.io/periodSeconds', '+3', 'strconv.ParseUint: parsing "+3": invalid syntax'],
  ['readiness.status.sidecar.istio.io/periodSeconds', '1.5', 'strconv.ParseUint: parsing "1.5": invalid syntax'],
  ['readiness.status.sidecar.istio.io/periodSeconds', '99999999999', 'strconv.ParseUint: parsing "99999999999": value out of range'],
  ['sidecar.istio.io/interceptionMode', '', 'interceptionMode invalid, use REDIRECT,TPROXY,NONE: '],
  ['sidecar.istio.io/interceptionMode', 'NONE ', 'interceptionMode invalid, use REDIRECT,TPROXY,NONE: NONE '],
  ['sidecar.istio.io/interceptionMode', 'redirect', 'interceptionMode invalid, use REDIRECT,TPROXY,NONE: redirect'],
  ['status.sidecar.istio.io/port', '', 'excludeInboundPorts invalid: failed parsing port \'\': strconv.ParseUint: parsing "": invalid syntax'],
  ['status.sidecar.istio.io/port', '-1', 'excludeInboundPorts invalid: failed parsing port \'-1\': strconv.ParseUint: parsing "-1": invalid syntax'],
  ['status.sidecar.istio.io/port', '+5', 'excludeInboundPorts invalid: failed parsing port \'+5\': strconv.ParseUint: parsing "+5": invalid syntax'],
  ['status.sidecar.istio.io/port', '0x10', 'excludeInboundPorts invalid: failed parsing port \'0x10\': strconv.ParseUint: parsing "0x10": invalid syntax'],
  [
    'status.sidecar.istio.io/port',
    '70000',
    'excludeInboundPorts invalid: failed parsing port \'70000\': strconv.ParseUint: parsing "70000": value out of range',
  ],
  ['status.sidecar.istio.io/port', '80,', 'excludeInboundPorts invalid: failed parsing port \'80,\': strconv.ParseUint: parsing "80,": invalid syntax'],
  [
    'status.sidecar.istio.io/port',
    '80, 81',
    'excludeInboundPorts invalid: failed parsing port \'80, 81\': strconv.ParseUint: parsing "80, 81": invalid syntax',
  ],
  ['status.sidecar.istio.io/port', 'http', 'excludeInboundPorts invalid: failed parsing port \'http\': strconv.ParseUint: parsing "http": invalid syntax'],
  [
    'traffic.sidecar.istio.io/excludeInboundPorts',
    '-1',
    "excludeInboundPorts invalid: failed parsing port '-1': failed parsing port '-1': strconv.ParseUint: parsing \"-1\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeInboundPorts',
    '+5',
    "excludeInboundPorts invalid: failed parsing port '+5': failed parsing port '+5': strconv.ParseUint: parsing \"+5\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeInboundPorts',
    '0x10',
    "excludeInboundPorts invalid: failed parsing port '0x10': failed parsing port '0x10': strconv.ParseUint: parsing \"0x10\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeInboundPorts',
    '70000',
    "excludeInboundPorts invalid: failed parsing port '70000': failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range",
  ],
  [
    'traffic.sidecar.istio.io/excludeInboundPorts',
    '80,',
    "excludeInboundPorts invalid: failed parsing port '': failed parsing port '': strconv.ParseUint: parsing \"\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeInboundPorts',
    'http',
    "excludeInboundPorts invalid: failed parsing port 'http': failed parsing port 'http': strconv.ParseUint: parsing \"http\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    ':::/8',
    'excludeIPRanges invalid: failed parsing cidr \':::/8\': netip.ParsePrefix(":::/8"): ParseAddr(":::"): each colon-separated field must have at least one digit (at ":")',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '::1/200',
    'excludeIPRanges invalid: failed parsing cidr \'::1/200\': netip.ParsePrefix("::1/200"): prefix length out of range',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '01.2.3.4/8',
    'excludeIPRanges invalid: failed parsing cidr \'01.2.3.4/8\': netip.ParsePrefix("01.2.3.4/8"): ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '1.2.3.4.5/8',
    'excludeIPRanges invalid: failed parsing cidr \'1.2.3.4.5/8\': netip.ParsePrefix("1.2.3.4.5/8"): ParseAddr("1.2.3.4.5"): IPv4 address too long',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '1.2.3/8',
    'excludeIPRanges invalid: failed parsing cidr \'1.2.3/8\': netip.ParsePrefix("1.2.3/8"): ParseAddr("1.2.3"): IPv4 address too short',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '10.0.0.0/',
    'excludeIPRanges invalid: failed parsing cidr \'10.0.0.0/\': netip.ParsePrefix("10.0.0.0/"): bad bits after slash: ""',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '10.0.0.0/08',
    'excludeIPRanges invalid: failed parsing cidr \'10.0.0.0/08\': netip.ParsePrefix("10.0.0.0/08"): bad bits after slash: "08"',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '10.0.0.0/33',
    'excludeIPRanges invalid: failed parsing cidr \'10.0.0.0/33\': netip.ParsePrefix("10.0.0.0/33"): prefix length out of range',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '10.0.0.0/8 ',
    'excludeIPRanges invalid: failed parsing cidr \'10.0.0.0/8 \': netip.ParsePrefix("10.0.0.0/8 "): bad bits after slash: "8 "',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '10.0.0.0/x',
    'excludeIPRanges invalid: failed parsing cidr \'10.0.0.0/x\': netip.ParsePrefix("10.0.0.0/x"): bad bits after slash: "x"',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '10.0.0.1',
    "excludeIPRanges invalid: failed parsing cidr '10.0.0.1': netip.ParsePrefix(\"10.0.0.1\"): no '/'",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    '300.0.0.0/8',
    'excludeIPRanges invalid: failed parsing cidr \'300.0.0.0/8\': netip.ParsePrefix("300.0.0.0/8"): ParseAddr("300.0.0.0"): IPv4 field has value >255',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    'a/8',
    'excludeIPRanges invalid: failed parsing cidr \'a/8\': netip.ParsePrefix("a/8"): ParseAddr("a"): unable to parse IP',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    'fe80::1%eth0/64',
    'excludeIPRanges invalid: failed parsing cidr \'fe80::1%eth0/64\': netip.ParsePrefix("fe80::1%eth0/64"): IPv6 zones cannot be present in a prefix',
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundPorts',
    '-1',
    "excludeOutboundPorts invalid: failed parsing port '-1': failed parsing port '-1': strconv.ParseUint: parsing \"-1\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundPorts',
    '+5',
    "excludeOutboundPorts invalid: failed parsing port '+5': failed parsing port '+5': strconv.ParseUint: parsing \"+5\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundPorts',
    '0x10',
    "excludeOutboundPorts invalid: failed parsing port '0x10': failed parsing port '0x10': strconv.ParseUint: parsing \"0x10\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundPorts',
    '70000',
    "excludeOutboundPorts invalid: failed parsing port '70000': failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundPorts',
    '80,',
    "excludeOutboundPorts invalid: failed parsing port '': failed parsing port '': strconv.ParseUint: parsing \"\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundPorts',
    'http',
    "excludeOutboundPorts invalid: failed parsing port 'http': failed parsing port 'http': strconv.ParseUint: parsing \"http\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    '-1',
    "includeInboundPorts invalid: failed parsing port '-1': failed parsing port '-1': strconv.ParseUint: parsing \"-1\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    '+5',
    "includeInboundPorts invalid: failed parsing port '+5': failed parsing port '+5': strconv.ParseUint: parsing \"+5\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    '0x10',
    "includeInboundPorts invalid: failed parsing port '0x10': failed parsing port '0x10': strconv.ParseUint: parsing \"0x10\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    '70000',
    "includeInboundPorts invalid: failed parsing port '70000': failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range",
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    '80,',
    "includeInboundPorts invalid: failed parsing port '': failed parsing port '': strconv.ParseUint: parsing \"\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    'http',
    "includeInboundPorts invalid: failed parsing port 'http': failed parsing port 'http': strconv.ParseUint: parsing \"http\": invalid syntax",
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    ':::/8',
    'includeIPRanges invalid: failed parsing cidr \':::/8\': netip.ParsePrefix(":::/8"): ParseAddr(":::"): each colon-separated field must have at least one digit (at ":")',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '::1/200',
    'includeIPRanges invalid: failed parsing cidr \'::1/200\': netip.ParsePrefix("::1/200"): prefix length out of range',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '01.2.3.4/8',
    'includeIPRanges invalid: failed parsing cidr \'01.2.3.4/8\': netip.ParsePrefix("01.2.3.4/8"): ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '1.2.3.4.5/8',
    'includeIPRanges invalid: failed parsing cidr \'1.2.3.4.5/8\': netip.ParsePrefix("1.2.3.4.5/8"): ParseAddr("1.2.3.4.5"): IPv4 address too long',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '1.2.3/8',
    'includeIPRanges invalid: failed parsing cidr \'1.2.3/8\': netip.ParsePrefix("1.2.3/8"): ParseAddr("1.2.3"): IPv4 address too short',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '10.0.0.0/',
    'includeIPRanges invalid: failed parsing cidr \'10.0.0.0/\': netip.ParsePrefix("10.0.0.0/"): bad bits after slash: ""',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '10.0.0.0/08',
    'includeIPRanges invalid: failed parsing cidr \'10.0.0.0/08\': netip.ParsePrefix("10.0.0.0/08"): bad bits after slash: "08"',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '10.0.0.0/33',
    'includeIPRanges invalid: failed parsing cidr \'10.0.0.0/33\': netip.ParsePrefix("10.0.0.0/33"): prefix length out of range',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '10.0.0.0/8 ',
    'includeIPRanges invalid: failed parsing cidr \'10.0.0.0/8 \': netip.ParsePrefix("10.0.0.0/8 "): bad bits after slash: "8 "',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '10.0.0.0/x',
    'includeIPRanges invalid: failed parsing cidr \'10.0.0.0/x\': netip.ParsePrefix("10.0.0.0/x"): bad bits after slash: "x"',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '10.0.0.1',
    "includeIPRanges invalid: failed parsing cidr '10.0.0.1': netip.ParsePrefix(\"10.0.0.1\"): no '/'",
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    '300.0.0.0/8',
    'includeIPRanges invalid: failed parsing cidr \'300.0.0.0/8\': netip.ParsePrefix("300.0.0.0/8"): ParseAddr("300.0.0.0"): IPv4 field has value >255',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    'a/8',
    'includeIPRanges invalid: failed parsing cidr \'a/8\': netip.ParsePrefix("a/8"): ParseAddr("a"): unable to parse IP',
  ],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    'fe80::1%eth0/64',
    'includeIPRanges invalid: failed parsing cidr \'fe80::1%eth0/64\': netip.ParsePrefix("fe80::1%eth0/64"): IPv6 zones cannot be present in a prefix',
  ],
];

test('invalid annotation values read as istioctl prints them (recorded from istioctl)', () => {
  const problems = RECORDED.flatMap(([annotation, value, expected]) => {
    const kind = istioAnnotation(annotation)?.value;
    assert.ok(kind, annotation);
    const got = valueProblem(kind, value, annotation);
    return got === expected ? [] : [`${annotation}=${JSON.stringify(value)}: ${got} (istioctl: ${expected})`];
  });
  assert.deepEqual(problems, []);
});

test('values istioctl accepts are accepted', () => {
  const ok: [string, string][] = [
    ['traffic.sidecar.istio.io/includeInboundPorts', ' 80'],
    ['traffic.sidecar.istio.io/includeInboundPorts', '80, 81'],
    ['traffic.sidecar.istio.io/excludeOutboundPorts', ''],
    ['status.sidecar.istio.io/port', ' 80'],
    ['traffic.sidecar.istio.io/includeOutboundIPRanges', '*'],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/8,fd00::/8,::ffff:10.0.0.0/104'],
    ['prometheus.istio.io/merge-metrics', 'TRUE'],
    ['sidecar.istio.io/interceptionMode', 'TPROXY'],
  ];
  for (const [annotation, value] of ok) assert.equal(valueProblem(istioAnnotation(annotation)!.value!, value, annotation), undefined, `${annotation}=${value}`);
});
