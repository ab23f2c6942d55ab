// Table-driven from upstream's TestValidateServiceCreate / TestValidateServiceUpdate /
// TestValidateServiceExternalTrafficPolicy / TestValidateLoadBalancerStatus cases.
import { describe, it } from 'node:test';
import type { Service } from '../../../src/api/core.js';
import {
  validateServiceCreate,
  validateServiceStatusUpdate,
  validateServiceUpdate,
} from '../../../src/api/validation/service.js';
import { assertErrors, clone, type Expect, strategyFor } from './helpers.js';

const LBSR = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** upstream's makeValidService: a defaulted ClusterIP Service. */
function makeValidService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'valid', namespace: 'valid', labels: {}, annotations: {}, resourceVersion: '1' },
    spec: {
      selector: { key: 'val' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
      ports: [{ name: 'p', protocol: 'TCP', port: 8675, targetPort: 8675 }],
      internalTrafficPolicy: 'Cluster',
    },
  };
}

function lb(s: Service): void {
  s.spec.type = 'LoadBalancer';
  s.spec.allocateLoadBalancerNodePorts = true;
  s.spec.externalTrafficPolicy = 'Cluster';
}

function nodePort(s: Service): void {
  s.spec.type = 'NodePort';
  s.spec.externalTrafficPolicy = 'Cluster';
}

function headless(s: Service): void {
  s.spec.clusterIP = 'None';
  s.spec.clusterIPs = ['None'];
}

function externalName(s: Service, name = 'foo.bar.example.com'): void {
  s.spec.type = 'ExternalName';
  s.spec.externalName = name;
  delete s.spec.internalTrafficPolicy;
}

interface CreateCase {
  name: string;
  tweak: (s: Service) => void;
  want: Expect[] | number;
}

const dns1123LabelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const createCases: CreateCase[] = [
  { name: 'valid 1', tweak: () => {}, want: 0 },
  { name: 'missing namespace', tweak: (s) => (s.metadata.namespace = ''), want: [{ field: 'metadata.namespace', type: 'FieldValueRequired' }] },
  { name: 'invalid namespace', tweak: (s) => (s.metadata.namespace = '-123'), want: [{ field: 'metadata.namespace', type: 'FieldValueInvalid' }] },
  {
    name: 'missing name',
    tweak: (s) => (s.metadata.name = ''),
    want: [{ field: 'metadata.name', type: 'FieldValueRequired', message: 'metadata.name: Required value: name or generateName is required' }],
  },
  {
    name: 'invalid name (not a DNS-1035 label)',
    tweak: (s) => (s.metadata.name = '-123'),
    want: [
      {
        field: 'metadata.name',
        type: 'FieldValueInvalid',
        message:
          "metadata.name: Invalid value: \"-123\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      },
    ],
  },
  { name: 'name starting with a digit', tweak: (s) => (s.metadata.name = '1abc'), want: [{ field: 'metadata.name', type: 'FieldValueInvalid' }] },
  {
    name: 'too long name',
    tweak: (s) => (s.metadata.name = 'a'.repeat(64)),
    want: [{ field: 'metadata.name', type: 'FieldValueInvalid', message: `metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters` }],
  },
  { name: 'invalid generateName', tweak: (s) => (s.metadata.generateName = '-123'), want: [{ field: 'metadata.generateName', type: 'FieldValueInvalid' }] },
  { name: 'too long generateName', tweak: (s) => (s.metadata.generateName = 'a'.repeat(64)), want: [{ field: 'metadata.generateName', type: 'FieldValueInvalid' }] },
  { name: 'valid generateName with trailing dash', tweak: (s) => (s.metadata.generateName = 'web-'), want: 0 },
  {
    name: 'invalid label',
    tweak: (s) => (s.metadata.labels = { 'NoUppercaseOrSpecialCharsLike=Equals': 'bar' }),
    want: [{ field: 'metadata.labels', type: 'FieldValueInvalid' }],
  },
  {
    name: 'invalid annotation',
    tweak: (s) => (s.metadata.annotations = { 'NoSpecialCharsLike=Equals': 'bar' }),
    want: [{ field: 'metadata.annotations', type: 'FieldValueInvalid' }],
  },
  { name: 'nil selector', tweak: (s) => delete (s.spec as Partial<Service['spec']>).selector, want: 0 },
  {
    name: 'invalid selector',
    tweak: (s) => (s.spec.selector = { 'NoSpecialCharsLike=Equals': 'bar' }),
    want: [{ field: 'spec.selector', type: 'FieldValueInvalid' }],
  },
  { name: 'missing session affinity', tweak: (s) => delete s.spec.sessionAffinity, want: [{ field: 'spec.sessionAffinity', type: 'FieldValueRequired' }] },
  {
    name: 'unsupported session affinity',
    tweak: (s) => (s.spec.sessionAffinity = 'Sticky' as 'None'),
    want: [
      {
        field: 'spec.sessionAffinity',
        type: 'FieldValueNotSupported',
        message: 'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
      },
    ],
  },
  {
    name: 'missing type',
    tweak: (s) => delete s.spec.type,
    // Without a type nothing requires internalTrafficPolicy either, so only the type is reported.
    want: [{ field: 'spec.type', type: 'FieldValueRequired' }],
  },
  {
    name: 'unsupported type',
    tweak: (s) => (s.spec.type = 'Bogus' as 'ClusterIP'),
    want: [
      {
        field: 'spec.type',
        type: 'FieldValueNotSupported',
        message: 'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      },
    ],
  },
  { name: 'missing ports', tweak: (s) => delete s.spec.ports, want: [{ field: 'spec.ports', type: 'FieldValueRequired' }] },
  { name: 'missing ports but headless', tweak: (s) => (delete s.spec.ports, headless(s)), want: 0 },
  { name: 'empty port[0] name', tweak: (s) => (s.spec.ports![0]!.name = ''), want: 0 },
  {
    name: 'empty port[1] name',
    tweak: (s) => s.spec.ports!.push({ name: '', protocol: 'TCP', port: 12345, targetPort: 12345 }),
    want: [{ field: 'spec.ports[1].name', type: 'FieldValueRequired', message: 'spec.ports[1].name: Required value' }],
  },
  {
    name: 'empty multi-port port[0] name',
    tweak: (s) => {
      s.spec.ports![0]!.name = '';
      s.spec.ports!.push({ name: 'p', protocol: 'TCP', port: 12345, targetPort: 12345 });
    },
    want: [{ field: 'spec.ports[0].name', type: 'FieldValueRequired', message: 'spec.ports[0].name: Required value' }],
  },
  {
    name: 'two unnamed ports: each needs a name',
    tweak: (s) => {
      s.spec.ports![0]!.name = '';
      s.spec.ports!.push({ protocol: 'TCP', port: 12345, targetPort: 12345 });
    },
    want: [
      { field: 'spec.ports[0].name', type: 'FieldValueRequired', message: 'spec.ports[0].name: Required value' },
      { field: 'spec.ports[1].name', type: 'FieldValueRequired', message: 'spec.ports[1].name: Required value' },
    ],
  },
  { name: 'port name 123-abc is a DNS-1123 label', tweak: (s) => (s.spec.ports![0]!.name = '123-abc'), want: 0 },
  { name: 'port name web', tweak: (s) => (s.spec.ports![0]!.name = 'web'), want: 0 },
  {
    name: 'port name 123_abc',
    tweak: (s) => (s.spec.ports![0]!.name = '123_abc'),
    want: [{ field: 'spec.ports[0].name', type: 'FieldValueInvalid', message: `spec.ports[0].name: Invalid value: "123_abc": ${dns1123LabelMsg}` }],
  },
  {
    name: 'port name -web',
    tweak: (s) => (s.spec.ports![0]!.name = '-web'),
    want: [{ field: 'spec.ports[0].name', type: 'FieldValueInvalid', message: `spec.ports[0].name: Invalid value: "-web": ${dns1123LabelMsg}` }],
  },
  { name: 'invalid port name (upper case)', tweak: (s) => (s.spec.ports![0]!.name = 'INVALID'), want: [{ field: 'spec.ports[0].name', type: 'FieldValueInvalid' }] },
  {
    name: 'port name with dots',
    tweak: (s) => (s.spec.ports![0]!.name = 'a.b'),
    want: [{ field: 'spec.ports[0].name', type: 'FieldValueInvalid', message: 'spec.ports[0].name: Invalid value: "a.b": must not contain dots' }],
  },
  { name: 'missing protocol', tweak: (s) => delete s.spec.ports![0]!.protocol, want: [{ field: 'spec.ports[0].protocol', type: 'FieldValueRequired' }] },
  {
    name: 'invalid protocol',
    tweak: (s) => (s.spec.ports![0]!.protocol = 'INVALID' as 'TCP'),
    want: [
      {
        field: 'spec.ports[0].protocol',
        type: 'FieldValueNotSupported',
        message: 'spec.ports[0].protocol: Unsupported value: "INVALID": supported values: "SCTP", "TCP", "UDP"',
      },
    ],
  },
  {
    name: 'invalid cluster ip',
    tweak: (s) => {
      s.spec.clusterIP = 'invalid';
      s.spec.clusterIPs = ['invalid'];
    },
    want: [
      {
        field: 'spec.clusterIPs[0]',
        type: 'FieldValueInvalid',
        message: 'spec.clusterIPs[0]: Invalid value: "invalid": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      },
    ],
  },
  {
    name: 'missing port',
    tweak: (s) => (s.spec.ports![0]!.port = 0),
    want: [{ field: 'spec.ports[0].port', type: 'FieldValueInvalid', message: 'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive' }],
  },
  {
    name: 'invalid port',
    tweak: (s) => (s.spec.ports![0]!.port = 65536),
    want: [{ field: 'spec.ports[0].port', type: 'FieldValueInvalid', message: 'spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive' }],
  },
  {
    name: 'invalid TargetPort int',
    tweak: (s) => (s.spec.ports![0]!.targetPort = 65536),
    want: [{ field: 'spec.ports[0].targetPort', type: 'FieldValueInvalid', message: 'spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive' }],
  },
  { name: 'valid targetPort name 123-abc (IANA_SVC_NAME)', tweak: (s) => (s.spec.ports![0]!.targetPort = '123-abc'), want: 0 },
  { name: 'valid 2: targetPort name http', tweak: (s) => (s.spec.ports![0]!.targetPort = 'http'), want: 0 },
  {
    name: 'targetPort name 123_abc',
    tweak: (s) => (s.spec.ports![0]!.targetPort = '123_abc'),
    want: [
      {
        field: 'spec.ports[0].targetPort',
        type: 'FieldValueInvalid',
        message: 'spec.ports[0].targetPort: Invalid value: "123_abc": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      },
    ],
  },
  {
    name: 'targetPort name -web',
    tweak: (s) => (s.spec.ports![0]!.targetPort = '-web'),
    want: [{ field: 'spec.ports[0].targetPort', type: 'FieldValueInvalid', message: 'spec.ports[0].targetPort: Invalid value: "-web": must not begin or end with a hyphen' }],
  },
  {
    name: 'targetPort name too long and digits only',
    tweak: (s) => (s.spec.ports![0]!.targetPort = '1234567890123456'),
    want: [
      { field: 'spec.ports[0].targetPort', type: 'FieldValueInvalid', message: 'spec.ports[0].targetPort: Invalid value: "1234567890123456": must be no more than 15 characters' },
      { field: 'spec.ports[0].targetPort', type: 'FieldValueInvalid', message: 'spec.ports[0].targetPort: Invalid value: "1234567890123456": must contain at least one letter (a-z)' },
    ],
  },
  {
    name: 'targetPort name with consecutive hyphens',
    tweak: (s) => (s.spec.ports![0]!.targetPort = 'a--b'),
    want: [{ field: 'spec.ports[0].targetPort', type: 'FieldValueInvalid', message: 'spec.ports[0].targetPort: Invalid value: "a--b": must not contain consecutive hyphens' }],
  },
  { name: 'valid port headless', tweak: (s) => ((s.spec.ports![0]!.port = 11722), (s.spec.ports![0]!.targetPort = 11722), headless(s)), want: 0 },
  { name: 'headless with a different targetPort is tolerated', tweak: (s) => ((s.spec.ports![0]!.targetPort = 11721), headless(s)), want: 0 },
  { name: 'headless with a named targetPort is tolerated', tweak: (s) => ((s.spec.ports![0]!.targetPort = 'target'), headless(s)), want: 0 },
  {
    name: 'invalid publicIPs localhost',
    tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['127.0.0.1'])),
    want: [
      {
        field: 'spec.externalIPs[0]',
        type: 'FieldValueInvalid',
        message: 'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      },
    ],
  },
  {
    name: 'invalid publicIPs unspecified',
    tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['0.0.0.0'])),
    want: [{ field: 'spec.externalIPs[0]', type: 'FieldValueInvalid', message: 'spec.externalIPs[0]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)' }],
  },
  {
    name: 'invalid publicIPs link-local',
    tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['169.254.169.254'])),
    want: [{ field: 'spec.externalIPs[0]', type: 'FieldValueInvalid' }],
  },
  {
    name: 'invalid publicIPs link-local multicast v6',
    tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['ff02::1'])),
    want: [{ field: 'spec.externalIPs[0]', type: 'FieldValueInvalid' }],
  },
  {
    name: 'invalid publicIPs host',
    tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['myhost.mydomain'])),
    want: [{ field: 'spec.externalIPs[0]', type: 'FieldValueInvalid' }],
  },
  { name: 'valid publicIPs', tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['1.2.3.4'])), want: 0 },
  { name: 'valid publicIPs v6', tweak: (s) => ((s.spec.externalTrafficPolicy = 'Cluster'), (s.spec.externalIPs = ['2001:db8::1'])), want: 0 },
  {
    name: 'dup port name',
    tweak: (s) => s.spec.ports!.push({ name: 'p', protocol: 'TCP', port: 12345, targetPort: 12345 }),
    want: [{ field: 'spec.ports[1].name', type: 'FieldValueDuplicate', message: 'spec.ports[1].name: Duplicate value: "p"' }],
  },
  { name: 'valid load balancer protocol UDP 1', tweak: (s) => (lb(s), (s.spec.ports![0]!.protocol = 'UDP')), want: 0 },
  {
    name: 'load balancer with mix protocol',
    tweak: (s) => (lb(s), s.spec.ports!.push({ name: 'q', port: 12345, protocol: 'UDP', targetPort: 12345 })),
    want: 0,
  },
  { name: 'valid 3: UDP', tweak: (s) => (s.spec.ports![0]!.protocol = 'UDP'), want: 0 },
  { name: 'valid 4: SCTP', tweak: (s) => (s.spec.ports![0]!.protocol = 'SCTP'), want: 0 },
  { name: 'valid type - loadbalancer', tweak: lb, want: 0 },
  { name: 'valid type - loadbalancer with allocateLoadBalancerNodePorts=false', tweak: (s) => (lb(s), (s.spec.allocateLoadBalancerNodePorts = false)), want: 0 },
  {
    name: 'invalid type - missing AllocateLoadBalancerNodePorts for loadbalancer type',
    tweak: (s) => (lb(s), delete s.spec.allocateLoadBalancerNodePorts),
    // Upstream's path really lacks the `spec.` prefix.
    want: [{ field: 'allocateLoadBalancerNodePorts', type: 'FieldValueRequired' }],
  },
  { name: 'valid type loadbalancer 2 ports', tweak: (s) => (lb(s), s.spec.ports!.push({ name: 'q', port: 12345, protocol: 'TCP', targetPort: 12345 })), want: 0 },
  { name: 'invalid port type=LoadBalancer is no longer rejected (kubelet port)', tweak: (s) => (lb(s), s.spec.ports!.push({ name: 'kubelet', port: 10250, protocol: 'TCP', targetPort: 12345 })), want: 0 },
  {
    name: 'duplicate nodeports',
    tweak: (s) => {
      nodePort(s);
      s.spec.ports = [
        { name: 'q', port: 1, protocol: 'TCP', nodePort: 1, targetPort: 1 },
        { name: 'r', port: 2, protocol: 'TCP', nodePort: 1, targetPort: 2 },
      ];
    },
    want: [{ field: 'spec.ports[1].nodePort', type: 'FieldValueDuplicate', message: 'spec.ports[1].nodePort: Duplicate value: 1' }],
  },
  {
    name: 'duplicate nodeports (different protocols)',
    tweak: (s) => {
      nodePort(s);
      s.spec.ports = [
        { name: 'q', port: 1, protocol: 'TCP', nodePort: 1, targetPort: 1 },
        { name: 'r', port: 2, protocol: 'UDP', nodePort: 1, targetPort: 2 },
        { name: 's', port: 3, protocol: 'SCTP', nodePort: 1, targetPort: 3 },
      ];
    },
    want: 0,
  },
  {
    name: 'invalid duplicate ports (with same protocol)',
    tweak: (s) => {
      s.spec.ports = [
        { name: 'q', port: 1, protocol: 'TCP', targetPort: 8080 },
        { name: 'r', port: 1, protocol: 'TCP', targetPort: 80 },
      ];
    },
    want: [{ field: 'spec.ports[1]', type: 'FieldValueDuplicate' }],
  },
  {
    name: 'valid duplicate ports (with different protocols)',
    tweak: (s) => {
      s.spec.ports = [
        { name: 'q', port: 1, protocol: 'TCP', targetPort: 8080 },
        { name: 'r', port: 1, protocol: 'UDP', targetPort: 80 },
        { name: 's', port: 1, protocol: 'SCTP', targetPort: 8080 },
      ];
    },
    want: 0,
  },
  { name: 'valid type - nodeport', tweak: nodePort, want: 0 },
  { name: 'valid type=NodePort service with NodePort', tweak: (s) => (nodePort(s), s.spec.ports!.push({ name: 'q', port: 12345, protocol: 'TCP', nodePort: 12345, targetPort: 12345 })), want: 0 },
  { name: 'valid type loadbalancer with NodePort', tweak: (s) => (lb(s), s.spec.ports!.push({ name: 'q', port: 12345, protocol: 'TCP', nodePort: 12345, targetPort: 12345 })), want: 0 },
  {
    name: 'invalid cluster service with NodePort',
    tweak: (s) => s.spec.ports!.push({ name: 'q', port: 12345, protocol: 'TCP', nodePort: 12345, targetPort: 12345 }),
    want: [{ field: 'spec.ports[1].nodePort', type: 'FieldValueForbidden', message: "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" }],
  },
  {
    name: 'nodePort on the first port of a ClusterIP service',
    tweak: (s) => (s.spec.ports![0]!.nodePort = 30080),
    want: [{ field: 'spec.ports[0].nodePort', type: 'FieldValueForbidden', message: "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" }],
  },
  { name: 'valid LoadBalancer source range annotation', tweak: (s) => (lb(s), (s.metadata.annotations = { [LBSR]: '1.2.3.4/8,  5.6.7.8/16' })), want: 0 },
  { name: 'empty LoadBalancer source range annotation', tweak: (s) => (lb(s), (s.metadata.annotations = { [LBSR]: '' })), want: 0 },
  {
    name: 'invalid LoadBalancer source range annotation (hostname)',
    tweak: (s) => (lb(s), (s.metadata.annotations = { [LBSR]: 'foo.bar' })),
    want: [{ field: `metadata.annotations[${LBSR}]`, type: 'FieldValueInvalid' }],
  },
  {
    name: 'invalid LoadBalancer source range annotation (invalid CIDR)',
    tweak: (s) => (lb(s), (s.metadata.annotations = { [LBSR]: '1.2.3.4/33' })),
    want: [{ field: `metadata.annotations[${LBSR}]`, type: 'FieldValueInvalid' }],
  },
  {
    name: 'invalid source range annotation for non LoadBalancer type service',
    tweak: (s) => (s.metadata.annotations = { [LBSR]: '1.2.3.4/8,  5.6.7.8/16' }),
    want: [{ field: `metadata.annotations[${LBSR}]`, type: 'FieldValueForbidden' }],
  },
  {
    name: 'invalid source range for non LoadBalancer type service',
    tweak: (s) => (s.spec.loadBalancerSourceRanges = ['1.2.3.4/8', '5.6.7.8/16']),
    want: [{ field: 'spec.LoadBalancerSourceRanges', type: 'FieldValueForbidden', message: "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'" }],
  },
  { name: 'valid LoadBalancer source range', tweak: (s) => (lb(s), (s.spec.loadBalancerSourceRanges = ['1.2.3.4/8', '5.6.7.8/16'])), want: 0 },
  { name: 'valid LoadBalancer source range with whitespace', tweak: (s) => (lb(s), (s.spec.loadBalancerSourceRanges = ['1.2.3.4/8  ', '  5.6.7.8/16'])), want: 0 },
  {
    name: 'empty LoadBalancer source range',
    tweak: (s) => (lb(s), (s.spec.loadBalancerSourceRanges = ['   '])),
    want: [{ field: 'spec.LoadBalancerSourceRanges[0]', type: 'FieldValueInvalid', message: 'spec.LoadBalancerSourceRanges[0]: Invalid value: "": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' }],
  },
  {
    name: 'invalid LoadBalancer source range',
    tweak: (s) => (lb(s), (s.spec.loadBalancerSourceRanges = ['foo.bar'])),
    want: [{ field: 'spec.LoadBalancerSourceRanges[0]', type: 'FieldValueInvalid' }],
  },
  { name: 'valid ExternalName', tweak: (s) => externalName(s), want: 0 },
  { name: 'valid ExternalName (trailing dot)', tweak: (s) => externalName(s, 'foo.bar.example.com.'), want: 0 },
  { name: 'valid ExternalName without ports', tweak: (s) => (externalName(s), delete s.spec.ports), want: 0 },
  {
    name: 'invalid ExternalName clusterIP (valid IP)',
    tweak: (s) => (externalName(s), (s.spec.clusterIP = '1.2.3.4'), (s.spec.clusterIPs = ['1.2.3.4'])),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueForbidden', message: 'spec.clusterIPs: Forbidden: may not be set for ExternalName services' }],
  },
  {
    name: 'invalid ExternalName clusterIP (None)',
    tweak: (s) => (externalName(s), headless(s)),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueForbidden' }],
  },
  {
    name: 'invalid ExternalName (not a DNS name)',
    tweak: (s) => externalName(s, '-123'),
    want: [{ field: 'spec.externalName', type: 'FieldValueInvalid' }],
  },
  {
    name: 'missing ExternalName',
    tweak: (s) => externalName(s, ''),
    want: [{ field: 'spec.externalName', type: 'FieldValueRequired', message: 'spec.externalName: Required value' }],
  },
  {
    name: 'invalid, ExternalName with ipFamilies',
    tweak: (s) => (externalName(s), (s.spec.ipFamilies = ['IPv4'])),
    want: [{ field: 'spec.ipFamilies', type: 'FieldValueForbidden' }],
  },
  {
    name: 'invalid, ExternalName with ipFamilyPolicy',
    tweak: (s) => (externalName(s), (s.spec.ipFamilyPolicy = 'SingleStack')),
    want: [{ field: 'spec.ipFamilyPolicy', type: 'FieldValueForbidden', message: 'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services' }],
  },
  {
    name: 'internalTrafficPolicy nil when type is ExternalName',
    tweak: (s) => externalName(s, 'foo.bar.com'),
    want: 0,
  },
  {
    name: 'invalid node port with clusterIP None',
    tweak: (s) => (nodePort(s), headless(s)),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid', message: `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services` }],
  },
  {
    name: 'LoadBalancer with clusterIP None',
    tweak: (s) => (lb(s), headless(s)),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid', message: `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services` }],
  },
  {
    name: 'invalid externalTraffic field',
    tweak: (s) => (lb(s), (s.spec.externalTrafficPolicy = 'invalid' as 'Local')),
    want: [
      {
        field: 'spec.externalTrafficPolicy',
        type: 'FieldValueNotSupported',
        message: 'spec.externalTrafficPolicy: Unsupported value: "invalid": supported values: "Cluster", "Local"',
      },
    ],
  },
  {
    name: 'nil internalTraffic field',
    tweak: (s) => delete s.spec.internalTrafficPolicy,
    want: [{ field: 'spec.internalTrafficPolicy', type: 'FieldValueRequired' }],
  },
  {
    name: 'invalid internalTraffic field',
    tweak: (s) => (s.spec.internalTrafficPolicy = 'invalid' as 'Local'),
    want: [
      {
        field: 'spec.internalTrafficPolicy',
        type: 'FieldValueNotSupported',
        message: 'spec.internalTrafficPolicy: Unsupported value: "invalid": supported values: "Cluster", "Local"',
      },
    ],
  },
  { name: 'internalTrafficPolicy field set to Local', tweak: (s) => (s.spec.internalTrafficPolicy = 'Local'), want: 0 },
  {
    name: 'negative healthCheckNodePort field',
    tweak: (s) => (lb(s), (s.spec.externalTrafficPolicy = 'Local'), (s.spec.healthCheckNodePort = -1)),
    want: [{ field: 'spec.healthCheckNodePort', type: 'FieldValueInvalid', message: 'spec.healthCheckNodePort: Invalid value: -1: must be between 1 and 65535, inclusive' }],
  },
  { name: 'valid healthCheckNodePort field', tweak: (s) => (lb(s), (s.spec.externalTrafficPolicy = 'Local'), (s.spec.healthCheckNodePort = 31100)), want: 0 },
  {
    name: 'valid cluster service with session affinity ClientIP',
    tweak: (s) => ((s.spec.sessionAffinity = 'ClientIP'), (s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } })),
    want: 0,
  },
  { name: 'session affinity timeout at the one-day limit', tweak: (s) => ((s.spec.sessionAffinity = 'ClientIP'), (s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86400 } })), want: 0 },
  {
    name: 'invalid session affinity timeout 0',
    tweak: (s) => ((s.spec.sessionAffinity = 'ClientIP'), (s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 0 } })),
    want: [
      {
        field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
        type: 'FieldValueInvalid',
        message: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
      },
    ],
  },
  {
    name: 'invalid session affinity timeout over a day',
    tweak: (s) => ((s.spec.sessionAffinity = 'ClientIP'), (s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86401 } })),
    want: [{ field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', type: 'FieldValueInvalid' }],
  },
  {
    name: 'ClientIP without sessionAffinityConfig',
    tweak: (s) => (s.spec.sessionAffinity = 'ClientIP'),
    want: [{ field: 'spec.sessionAffinityConfig', type: 'FieldValueRequired', message: 'spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP' }],
  },
  {
    name: 'sessionAffinityConfig cannot be set when session affinity is None',
    tweak: (s) => (s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 90 } }),
    want: [{ field: 'spec.sessionAffinityConfig', type: 'FieldValueForbidden', message: 'spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None' }],
  },
  {
    name: 'invalid, service with invalid ipFamilies',
    tweak: (s) => (s.spec.ipFamilies = ['not-a-family' as 'IPv4']),
    want: [{ field: 'spec.ipFamilies[0]', type: 'FieldValueNotSupported' }],
  },
  {
    name: 'invalid, service with invalid ipFamilies (2nd)',
    tweak: (s) => ((s.spec.ipFamilyPolicy = 'RequireDualStack'), (s.spec.ipFamilies = ['IPv4', 'not-a-family' as 'IPv4'])),
    want: [{ field: 'spec.ipFamilies[1]', type: 'FieldValueNotSupported' }],
  },
  {
    name: 'invalid, service with duplicate ipFamilies',
    tweak: (s) => ((s.spec.ipFamilyPolicy = 'RequireDualStack'), (s.spec.ipFamilies = ['IPv4', 'IPv4'])),
    want: [{ field: 'spec.ipFamilies[1]', type: 'FieldValueDuplicate' }],
  },
  {
    name: 'invalid ipFamilyPolicy',
    tweak: (s) => (s.spec.ipFamilyPolicy = 'invalid-policy' as 'SingleStack'),
    want: [
      {
        field: 'spec.ipFamilyPolicy',
        type: 'FieldValueNotSupported',
        message: 'spec.ipFamilyPolicy: Unsupported value: "invalid-policy": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"',
      },
    ],
  },
  {
    name: 'clusterIP without clusterIPs',
    tweak: (s) => (s.spec.clusterIP = '10.0.0.1'),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueRequired' }],
  },
  {
    name: 'clusterIPs[0] not matching clusterIP',
    tweak: (s) => ((s.spec.clusterIP = '10.0.0.1'), (s.spec.clusterIPs = ['10.0.0.2'])),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueInvalid' }],
  },
  {
    name: 'clusterIPs without clusterIP',
    tweak: (s) => (s.spec.clusterIPs = ['10.0.0.2']),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueInvalid' }],
  },
  {
    name: "clusterIPs 'None' and an IP",
    tweak: (s) => ((s.spec.clusterIP = 'None'), (s.spec.clusterIPs = ['None', '10.0.0.1'])),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueInvalid' }],
  },
  {
    name: 'two IPs of the same family',
    tweak: (s) => ((s.spec.clusterIP = '10.0.0.1'), (s.spec.clusterIPs = ['10.0.0.1', '10.0.0.2'])),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueInvalid' }],
  },
  {
    name: 'valid, dual-stack clusterIPs',
    tweak: (s) => {
      s.spec.clusterIP = '10.0.0.1';
      s.spec.clusterIPs = ['10.0.0.1', '2000::1'];
      s.spec.ipFamilies = ['IPv4', 'IPv6'];
      s.spec.ipFamilyPolicy = 'RequireDualStack';
    },
    want: 0,
  },
  {
    name: 'clusterIP family not matching ipFamilies',
    tweak: (s) => ((s.spec.clusterIP = '10.0.0.1'), (s.spec.clusterIPs = ['10.0.0.1']), (s.spec.ipFamilies = ['IPv6'])),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid', message: 'spec.clusterIPs[0]: Invalid value: "10.0.0.1": expected an IPv6 value as indicated by `ipFamilies[0]`' }],
  },
  {
    name: 'more than two clusterIPs',
    tweak: (s) => ((s.spec.clusterIP = '10.0.0.1'), (s.spec.clusterIPs = ['10.0.0.1', '2000::1', '10.0.0.2'])),
    want: [{ field: 'spec.clusterIPs', type: 'FieldValueInvalid' }],
  },
  {
    name: 'loadBalancerClass on a ClusterIP service',
    tweak: (s) => (s.spec.loadBalancerClass = 'test.com/test'),
    want: [{ field: 'spec.loadBalancerClass', type: 'FieldValueForbidden', message: "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'" }],
  },
  { name: 'valid loadBalancerClass', tweak: (s) => (lb(s), (s.spec.loadBalancerClass = 'test.com/test')), want: 0 },
  {
    name: 'invalid loadBalancerClass format',
    tweak: (s) => (lb(s), (s.spec.loadBalancerClass = 'Bad/LoadBalancerclass')),
    want: [{ field: 'spec.loadBalancerClass', type: 'FieldValueInvalid' }],
  },
  {
    name: 'allocateLoadBalancerNodePorts on a NodePort service',
    tweak: (s) => (nodePort(s), (s.spec.allocateLoadBalancerNodePorts = true)),
    want: [{ field: 'spec.allocateLoadBalancerNodePorts', type: 'FieldValueForbidden' }],
  },
  { name: 'valid appProtocol', tweak: (s) => (s.spec.ports![0]!.appProtocol = 'HTTP'), want: 0 },
  { name: 'valid prefixed appProtocol', tweak: (s) => (s.spec.ports![0]!.appProtocol = 'example.com/protocol'), want: 0 },
  {
    name: 'invalid appProtocol',
    tweak: (s) => (s.spec.ports![0]!.appProtocol = 'example.com/protocol_with{braces}'),
    want: [{ field: 'spec.ports[0].appProtocol', type: 'FieldValueInvalid' }],
  },
  { name: 'valid trafficDistribution', tweak: (s) => (s.spec.trafficDistribution = 'PreferClose'), want: 0 },
  {
    name: 'invalid trafficDistribution',
    tweak: (s) => (s.spec.trafficDistribution = 'Random'),
    want: [{ field: 'spec.trafficDistribution', type: 'FieldValueNotSupported', message: 'spec.trafficDistribution: Unsupported value: "Random": supported values: "PreferClose"' }],
  },
  {
    name: 'topology annotations that disagree',
    tweak: (s) =>
      (s.metadata.annotations = {
        'service.kubernetes.io/topology-mode': 'Auto',
        'service.kubernetes.io/topology-aware-hints': 'auto',
      }),
    want: [{ field: 'metadata.annotations[service.kubernetes.io/topology-mode]', type: 'FieldValueInvalid' }],
  },
];

// TestValidateServiceExternalTrafficPolicy.
const trafficCases: CreateCase[] = [
  {
    name: 'valid loadBalancer service with externalTrafficPolicy and healthCheckNodePort set',
    tweak: (s) => (lb(s), (s.spec.externalTrafficPolicy = 'Local'), (s.spec.healthCheckNodePort = 34567)),
    want: 0,
  },
  { name: 'valid nodePort service with externalTrafficPolicy set', tweak: (s) => (nodePort(s), (s.spec.externalTrafficPolicy = 'Local')), want: 0 },
  { name: 'valid clusterIP service with none of externalTrafficPolicy and healthCheckNodePort set', tweak: () => {}, want: 0 },
  {
    name: 'cannot set healthCheckNodePort field on loadBalancer service with externalTrafficPolicy!=Local',
    tweak: (s) => (lb(s), (s.spec.healthCheckNodePort = 34567)),
    want: [
      {
        field: 'spec.healthCheckNodePort',
        type: 'FieldValueInvalid',
        message: "spec.healthCheckNodePort: Invalid value: 34567: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      },
    ],
  },
  {
    name: 'cannot set healthCheckNodePort field on nodePort service',
    tweak: (s) => (nodePort(s), (s.spec.externalTrafficPolicy = 'Local'), (s.spec.healthCheckNodePort = 34567)),
    want: [{ field: 'spec.healthCheckNodePort', type: 'FieldValueInvalid' }],
  },
  {
    name: 'cannot set externalTrafficPolicy or healthCheckNodePort fields on clusterIP service',
    tweak: (s) => ((s.spec.externalTrafficPolicy = 'Local'), (s.spec.healthCheckNodePort = 34567)),
    want: [
      { field: 'spec.externalTrafficPolicy', type: 'FieldValueInvalid', message: 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services' },
      { field: 'spec.healthCheckNodePort', type: 'FieldValueInvalid' },
    ],
  },
  {
    name: 'cannot set externalTrafficPolicy field on ExternalName service',
    tweak: (s) => (externalName(s), (s.spec.externalTrafficPolicy = 'Local')),
    want: [{ field: 'spec.externalTrafficPolicy', type: 'FieldValueInvalid' }],
  },
  {
    name: 'externalTrafficPolicy is required on NodePort service',
    tweak: (s) => (nodePort(s), delete s.spec.externalTrafficPolicy),
    want: [{ field: 'spec.externalTrafficPolicy', type: 'FieldValueRequired' }],
  },
  {
    name: 'externalTrafficPolicy is required on LoadBalancer service',
    tweak: (s) => (lb(s), delete s.spec.externalTrafficPolicy),
    want: [{ field: 'spec.externalTrafficPolicy', type: 'FieldValueRequired' }],
  },
  {
    name: 'externalTrafficPolicy is required on ClusterIP service with externalIPs',
    tweak: (s) => (s.spec.externalIPs = ['1.2.3.4']),
    want: [{ field: 'spec.externalTrafficPolicy', type: 'FieldValueRequired' }],
  },
  { name: 'externalTrafficPolicy allowed on ClusterIP service with externalIPs', tweak: (s) => ((s.spec.externalIPs = ['1.2.3.4']), (s.spec.externalTrafficPolicy = 'Local')), want: 0 },
  {
    name: 'healthCheckNodePort is required for LoadBalancer with Local',
    tweak: (s) => (lb(s), (s.spec.externalTrafficPolicy = 'Local')),
    want: [{ field: 'spec.healthCheckNodePort', type: 'FieldValueRequired' }],
  },
];

describe('Service validation on create (upstream TestValidateServiceCreate)', () => {
  for (const tc of [...createCases, ...trafficCases]) {
    it(tc.name, () => {
      const s = makeValidService();
      tc.tweak(s);
      assertErrors(validateServiceCreate(s), tc.want, tc.name);
    });
  }
  it('is what the Service strategy runs on create', () => {
    const s = makeValidService();
    s.spec.ports![0]!.port = 0;
    assertErrors(strategyFor('Service').validateCreate(s), [{ field: 'spec.ports[0].port', type: 'FieldValueInvalid' }], 'strategy');
  });
});

interface UpdateCase {
  name: string;
  tweak: (oldSvc: Service, newSvc: Service) => void;
  want: Expect[] | number;
}

function withIP(s: Service, ip: string): void {
  s.spec.clusterIP = ip;
  s.spec.clusterIPs = [ip];
  s.spec.ipFamilies = ['IPv4'];
  s.spec.ipFamilyPolicy = 'SingleStack';
}

const updateCases: UpdateCase[] = [
  { name: 'no change', tweak: () => {}, want: 0 },
  {
    name: 'change name',
    tweak: (_o, n) => (n.metadata.name += '2'),
    want: [{ field: 'metadata.name', type: 'FieldValueInvalid', message: 'metadata.name: Invalid value: "valid2": field is immutable' }],
  },
  { name: 'change namespace', tweak: (_o, n) => (n.metadata.namespace += '2'), want: [{ field: 'metadata.namespace', type: 'FieldValueInvalid' }] },
  { name: 'change uid', tweak: (o, n) => ((o.metadata.uid = 'a'), (n.metadata.uid = 'b')), want: [{ field: 'metadata.uid', type: 'FieldValueInvalid' }] },
  {
    name: 'change creationTimestamp',
    tweak: (o, n) => ((o.metadata.creationTimestamp = '2026-01-01T00:00:00Z'), (n.metadata.creationTimestamp = '2026-01-02T00:00:00Z')),
    want: [{ field: 'metadata.creationTimestamp', type: 'FieldValueInvalid' }],
  },
  {
    name: 'missing resourceVersion',
    tweak: (_o, n) => delete n.metadata.resourceVersion,
    want: [{ field: 'metadata.resourceVersion', type: 'FieldValueInvalid', message: 'metadata.resourceVersion: Invalid value: "": must be specified for an update' }],
  },
  { name: 'change label valid', tweak: (o, n) => ((o.metadata.labels = { foo: 'bar' }), (n.metadata.labels = { foo: 'baz' })), want: 0 },
  { name: 'add label', tweak: (_o, n) => (n.metadata.labels = { foo: 'bar' }), want: 0 },
  {
    name: 'change cluster IP',
    tweak: (o, n) => (withIP(o, '1.2.3.4'), withIP(n, '8.6.7.5')),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid', message: 'spec.clusterIPs[0]: Invalid value: ["8.6.7.5"]: may not change once set' }],
  },
  {
    name: 'change clusterIP only (clusterIPs left as before) is reported on clusterIPs[0]',
    tweak: (o, n) => (withIP(o, '1.2.3.4'), withIP(n, '1.2.3.4'), (n.spec.clusterIP = '8.6.7.5')),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid' }],
  },
  {
    name: 'remove cluster IP',
    tweak: (o, n) => (withIP(o, '1.2.3.4'), withIP(n, '1.2.3.4'), delete n.spec.clusterIP, delete n.spec.clusterIPs),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid', message: 'spec.clusterIPs[0]: Invalid value: []: primary clusterIP can not be unset' }],
  },
  { name: 'change affinity', tweak: (_o, n) => ((n.spec.sessionAffinity = 'ClientIP'), (n.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 90 } })), want: 0 },
  { name: 'remove affinity', tweak: (_o, n) => delete n.spec.sessionAffinity, want: [{ field: 'spec.sessionAffinity', type: 'FieldValueRequired' }] },
  { name: 'change type', tweak: (_o, n) => lb(n), want: 0 },
  { name: 'remove type', tweak: (_o, n) => delete n.spec.type, want: [{ field: 'spec.type', type: 'FieldValueRequired' }] },
  { name: 'change type -> nodeport', tweak: (_o, n) => nodePort(n), want: 0 },
  { name: 'add loadBalancerSourceRanges', tweak: (o, n) => (lb(o), lb(n), (n.spec.loadBalancerSourceRanges = ['10.0.0.0/8'])), want: 0 },
  {
    name: 'update loadBalancerSourceRanges',
    tweak: (o, n) => (lb(o), (o.spec.loadBalancerSourceRanges = ['10.0.0.0/8']), lb(n), (n.spec.loadBalancerSourceRanges = ['10.100.0.0/16'])),
    want: 0,
  },
  {
    name: 'LoadBalancer type cannot have None ClusterIP',
    tweak: (_o, n) => (lb(n), headless(n)),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid' }],
  },
  { name: '`None` ClusterIP can NOT be changed', tweak: (o, n) => (headless(o), withIP(n, '1.2.3.4')), want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid' }] },
  {
    name: '`None` ClusterIP can NOT be removed',
    tweak: (o, n) => (headless(o), delete n.spec.clusterIP, delete n.spec.clusterIPs),
    want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid', message: 'spec.clusterIPs[0]: Invalid value: []: primary clusterIP can not be unset' }],
  },
  { name: 'ClusterIP can NOT be changed to None', tweak: (o, n) => (withIP(o, '1.2.3.4'), headless(n)), want: [{ field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid' }] },
  { name: 'Service with ClusterIP type can change its empty ClusterIP', tweak: (_o, n) => withIP(n, '1.2.3.5'), want: 0 },
  { name: 'Service with NodePort type can change its empty ClusterIP', tweak: (o, n) => (nodePort(o), nodePort(n), withIP(n, '1.2.3.5')), want: 0 },
  { name: 'LoadBalancer can change allocateLoadBalancerNodePorts from true to false', tweak: (o, n) => (lb(o), lb(n), (n.spec.allocateLoadBalancerNodePorts = false)), want: 0 },
  {
    name: 'set AllocateLoadBalancerNodePorts when type is not LoadBalancer',
    tweak: (_o, n) => (n.spec.allocateLoadBalancerNodePorts = true),
    want: [{ field: 'spec.allocateLoadBalancerNodePorts', type: 'FieldValueForbidden' }],
  },
  { name: 'update to valid app protocol', tweak: (_o, n) => (n.spec.ports![0]!.appProtocol = 'https'), want: 0 },
  { name: 'update to invalid app protocol', tweak: (_o, n) => (n.spec.ports![0]!.appProtocol = '~https'), want: [{ field: 'spec.ports[0].appProtocol', type: 'FieldValueInvalid' }] },
  {
    name: 'update LoadBalancer service without changing loadBalancerClass',
    tweak: (o, n) => (lb(o), (o.spec.loadBalancerClass = 'test.com/test'), lb(n), (n.spec.loadBalancerClass = 'test.com/test')),
    want: 0,
  },
  {
    name: 'invalid: change LoadBalancerClass when update service',
    tweak: (o, n) => (lb(o), (o.spec.loadBalancerClass = 'test.com/test'), lb(n), (n.spec.loadBalancerClass = 'test.com/another')),
    want: [{ field: 'spec.loadBalancerClass', type: 'FieldValueInvalid', message: 'spec.loadBalancerClass: Invalid value: "test.com/another": may not change once set' }],
  },
  {
    name: 'invalid: unset LoadBalancerClass when update service',
    tweak: (o, n) => (lb(o), (o.spec.loadBalancerClass = 'test.com/test'), lb(n)),
    want: [{ field: 'spec.loadBalancerClass', type: 'FieldValueInvalid', message: 'spec.loadBalancerClass: Invalid value: null: may not change once set' }],
  },
  {
    name: 'invalid: set LoadBalancerClass when update service',
    tweak: (o, n) => (lb(o), lb(n), (n.spec.loadBalancerClass = 'test.com/test')),
    want: [{ field: 'spec.loadBalancerClass', type: 'FieldValueInvalid' }],
  },
  { name: 'update to LoadBalancer type with valid LoadBalancerClass', tweak: (_o, n) => (lb(n), (n.spec.loadBalancerClass = 'test.com/test')), want: 0 },
  {
    name: 'invalid: set invalid LoadBalancerClass when update service to LoadBalancer (reported twice, as upstream)',
    tweak: (_o, n) => (lb(n), (n.spec.loadBalancerClass = 'Bad/LoadBalancerclass')),
    want: 2,
  },
  { name: 'update from LoadBalancer with class to ClusterIP', tweak: (o, n) => (lb(o), (o.spec.loadBalancerClass = 'test.com/test')), want: 0 },
  {
    name: 'invalid: update from LoadBalancer to ClusterIP keeping LoadBalancerClass (checked by update and create rules)',
    tweak: (o, n) => (lb(o), (o.spec.loadBalancerClass = 'test.com/test'), (n.spec.loadBalancerClass = 'test.com/test')),
    want: [
      { field: 'spec.loadBalancerClass', type: 'FieldValueForbidden' },
      { field: 'spec.loadBalancerClass', type: 'FieldValueForbidden' },
    ],
  },
  {
    name: 'healthCheckNodePort may not change while LoadBalancer stays Local',
    tweak: (o, n) => {
      lb(o);
      o.spec.externalTrafficPolicy = 'Local';
      o.spec.healthCheckNodePort = 30200;
      lb(n);
      n.spec.externalTrafficPolicy = 'Local';
      n.spec.healthCheckNodePort = 30201;
    },
    want: [{ field: 'spec.healthCheckNodePort', type: 'FieldValueForbidden', message: 'spec.healthCheckNodePort: Forbidden: field is immutable' }],
  },
  {
    name: 'ClusterIP to ExternalName with addresses cleared',
    tweak: (o, n) => (withIP(o, '1.2.3.4'), externalName(n)),
    want: 0,
  },
  { name: 'ExternalName to ClusterIP', tweak: (o) => externalName(o), want: 0 },
  {
    name: 'upgrade to dual-stack',
    tweak: (o, n) => {
      withIP(o, '10.0.0.1');
      n.spec.clusterIP = '10.0.0.1';
      n.spec.clusterIPs = ['10.0.0.1', '2000::1'];
      n.spec.ipFamilies = ['IPv4', 'IPv6'];
      n.spec.ipFamilyPolicy = 'RequireDualStack';
    },
    want: 0,
  },
  {
    name: 'downgrade to single-stack with SingleStack',
    tweak: (o, n) => {
      o.spec.clusterIP = '10.0.0.1';
      o.spec.clusterIPs = ['10.0.0.1', '2000::1'];
      o.spec.ipFamilies = ['IPv4', 'IPv6'];
      o.spec.ipFamilyPolicy = 'RequireDualStack';
      withIP(n, '10.0.0.1');
    },
    want: 0,
  },
  {
    name: 'downgrade without SingleStack',
    tweak: (o, n) => {
      o.spec.clusterIP = '10.0.0.1';
      o.spec.clusterIPs = ['10.0.0.1', '2000::1'];
      o.spec.ipFamilies = ['IPv4', 'IPv6'];
      o.spec.ipFamilyPolicy = 'RequireDualStack';
      withIP(n, '10.0.0.1');
      n.spec.ipFamilyPolicy = 'PreferDualStack';
    },
    want: [
      { field: 'spec.ipFamilyPolicy', type: 'FieldValueInvalid', message: `spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be set to 'SingleStack' when releasing the secondary clusterIP` },
      { field: 'spec.ipFamilyPolicy', type: 'FieldValueInvalid', message: `spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be set to 'SingleStack' when releasing the secondary ipFamily` },
    ],
  },
  {
    name: 'change primary ipFamily',
    tweak: (o, n) => (withIP(o, '10.0.0.1'), withIP(n, '10.0.0.1'), (n.spec.ipFamilies = ['IPv6'])),
    want: [
      { field: 'spec.ipFamilies[0]', type: 'FieldValueInvalid', message: 'spec.ipFamilies[0]: Invalid value: ["IPv6"]: may not change once set' },
      { field: 'spec.clusterIPs[0]', type: 'FieldValueInvalid' },
    ],
  },
];

describe('Service validation on update (upstream TestValidateServiceUpdate)', () => {
  for (const tc of updateCases) {
    it(tc.name, () => {
      const o = makeValidService();
      const n = makeValidService();
      tc.tweak(o, n);
      assertErrors(validateServiceUpdate(n, o), tc.want, tc.name);
    });
  }
  it('does not modify the object it validates', () => {
    const o = makeValidService();
    withIP(o, '1.2.3.4');
    const n = clone(o);
    delete n.spec.clusterIPs;
    validateServiceUpdate(n, o);
    assertErrors([], 0, 'noop');
    if (n.spec.clusterIPs !== undefined) throw new Error('validateServiceUpdate normalized the caller\'s object');
  });
});

const statusCases: { name: string; tweak: (s: Service) => void; want: Expect[] | number }[] = [
  { name: 'no ingress', tweak: (s) => lb(s), want: 0 },
  { name: 'valid ip with ipMode', tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] } })), want: 0 },
  { name: 'valid hostname', tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } })), want: 0 },
  {
    name: 'invalid ip',
    tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ ip: '1.2.3', ipMode: 'VIP' }] } })),
    want: [{ field: 'status.loadBalancer.ingress[0].ip', type: 'FieldValueInvalid' }],
  },
  {
    name: 'ip without ipMode',
    tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } })),
    want: [{ field: 'status.loadBalancer.ingress[0].ipMode', type: 'FieldValueRequired', message: 'status.loadBalancer.ingress[0].ipMode: Required value: must be specified when `ip` is set' }],
  },
  {
    name: 'ipMode without ip',
    tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ hostname: 'lb.example.com', ipMode: 'Proxy' }] } })),
    want: [{ field: 'status.loadBalancer.ingress[0].ipMode', type: 'FieldValueForbidden' }],
  },
  {
    name: 'unsupported ipMode',
    tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'Bogus' as 'VIP' }] } })),
    want: [{ field: 'status.loadBalancer.ingress[0].ipMode', type: 'FieldValueNotSupported' }],
  },
  {
    name: 'hostname that is an IP',
    tweak: (s) => (lb(s), (s.status = { loadBalancer: { ingress: [{ hostname: '1.2.3.4' }] } })),
    want: [{ field: 'status.loadBalancer.ingress[0].hostname', type: 'FieldValueInvalid', message: 'status.loadBalancer.ingress[0].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address' }],
  },
  {
    name: 'ingress on a ClusterIP service',
    tweak: (s) => (s.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] } }),
    want: [{ field: 'status.loadBalancer.ingress', type: 'FieldValueForbidden', message: "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'" }],
  },
];

describe('Service status update (upstream ValidateServiceStatusUpdate)', () => {
  for (const tc of statusCases) {
    it(tc.name, () => {
      const o = makeValidService();
      const n = makeValidService();
      tc.tweak(o);
      tc.tweak(n);
      assertErrors(validateServiceStatusUpdate(n, o), tc.want, tc.name);
    });
  }
});

describe('the Service strategy on a status update', () => {
  it('judges the status as upstream does after defaulting: an ingress IP without ipMode is VIP', () => {
    const o = makeValidService();
    lb(o);
    const n = clone(o);
    n.status = { loadBalancer: { ingress: [{ ip: '127.240.0.1' }] } };
    assertErrors(strategyFor('Service').validateStatusUpdate(n, o), 0, 'defaulted ipMode');
    assertErrors(strategyFor('Service').validateStatusUpdate({ ...n, status: { loadBalancer: { ingress: [{ ip: 'x' }] } } }, o), [
      { field: 'status.loadBalancer.ingress[0].ip', type: 'FieldValueInvalid' },
    ], 'bad ip');
  });
});
