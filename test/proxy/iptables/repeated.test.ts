// Upstream's TestSyncProxyRulesRepeated (pkg/proxy/iptables/proxier_test.go), through the Provider
// and a fake executor: after the first (full) sync, each sync writes only the changed Services'
// chains, and a deleted Service's chains are flushed and deleted (-X) in the same restore. It runs
// with omitUnchangedChains off, as upstream writes; provider.test.ts covers the omission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { IptablesProvider } from '../../../src/proxy/iptables/provider.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';
import type { RuleExecutor } from '../../../src/proxy/rules.js';
import type { Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { dedent, sortIptablesRules } from './normalize.js';

const restores: string[] = [];
const executor: RuleExecutor = {
  async run(argv, input) {
    if (argv[0] === 'iptables-restore') restores.push(input ?? '');
    return { code: 0, stdout: '', stderr: '' };
  },
};

const filter = `
*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
%FILTER%
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT`;
const natHead = `
*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]`;
const natFixed = `
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE`;
const expected = (filterRules: string, nat: string): string => filter.replace('%FILTER%', filterRules) + natHead + natFixed + nat + '\nCOMMIT\n';

const p = (name: string, port: number) => [{ name, port, protocol: 'TCP' as const }];
const svc1 = svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p('p80', 80) });
const svc2 = svc('ns2', 'svc2', { clusterIP: '172.30.0.42', ports: p('p8080', 8080) });
const svc3 = svc('ns3', 'svc3', { clusterIP: '172.30.0.43', ports: p('p80', 80) });
const svc4 = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', ports: p('p80', 80) });
const eps1 = slice('ns1', 'svc1', 'svc1-1', [ep('10.0.1.1')], p('p80', 80));
const eps2 = slice('ns2', 'svc2', 'svc2-1', [ep('10.0.2.1')], p('p8080', 8080));
const eps3 = slice('ns3', 'svc3', 'svc3-1', [ep('10.0.3.1')], p('p80', 80));
const eps4 = slice('ns4', 'svc4', 'svc4-1', [ep('10.0.4.1')], p('p80', 80));

test('TestSyncProxyRulesRepeated: partial syncs write only changed Services; deletions flush and -X', async () => {
  const prov = new IptablesProvider({
    nodeName: 'test-node',
    nodeIPs: ['192.168.0.2'],
    clusterCIDR: '10.0.0.0/8',
    executor,
    layout: 'upstream',
    randomFully: false,
    nfacct: false,
    conntrack: false,
    // Upstream's exact partial-sync input: base chains whole every time (see unchanged.ts).
    omitUnchangedChains: false,
  });
  const step = async (services: Service[], slices: EndpointSlice[], changed: string[], full = false): Promise<string> => {
    const { sm, em } = buildMaps('test-node', services, slices);
    const ch: ProxyChanges = { full, services: new Set(changed), endpoints: new Set(), nodeLabels: {} };
    await prov.sync(sm, em, ch);
    return restores.at(-1)!;
  };
  // Upstream creates its KUBE-PROXY-CANARY chains outside the restore (iptables Monitor); ours
  // ride on every full restore. Compare the rest with upstream's expectation, and check them apart.
  const canaryFree = (text: string): string => text.replace(/^\*mangle\n:KUBE-PROXY-CANARY - \[0:0\]\nCOMMIT\n/, '').replace(/^:KUBE-PROXY-CANARY - \[0:0\]\n/gm, '');
  const check = (actual: string, exp: string): void => assert.equal(sortIptablesRules(canaryFree(actual)), sortIptablesRules(dedent(exp)));

  const first = await step([svc1, svc2], [eps1, eps2], [], true);
  assert.equal(first.match(/^:KUBE-PROXY-CANARY - \[0:0\]$/gm)?.length, 3, 'the full sync declares the canaries in mangle, filter and nat');
  check(
    first,
    expected(
      '',
      `
:KUBE-SEP-SNQ3ZNILQDEJNDQO - [0:0]
:KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
:KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6
-A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -s 10.0.1.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80
-A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -s 10.0.2.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -m tcp -p tcp -j DNAT --to-destination 10.0.2.1:8080
-A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 -> 10.0.2.1:8080" -j KUBE-SEP-UHEGFW77JX3KXTOV
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.0.1.1:80" -j KUBE-SEP-SNQ3ZNILQDEJNDQO`,
    ),
  );

  // Add svc3 and its endpoints: only its SVC and SEP chains are written.
  check(
    await step([svc1, svc2, svc3], [eps1, eps2, eps3], ['ns3/svc3']),
    expected(
      '',
      `
:KUBE-SEP-BSWRHOQ77KEXZLNL - [0:0]
:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SEP-BSWRHOQ77KEXZLNL -m comment --comment ns3/svc3:p80 -s 10.0.3.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-BSWRHOQ77KEXZLNL -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.1:80
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.1:80" -j KUBE-SEP-BSWRHOQ77KEXZLNL`,
    ),
  );

  // Delete svc2: its chains are flushed and deleted; nothing else is rewritten.
  check(
    await step([svc1, svc3], [eps1, eps3], ['ns2/svc2']),
    expected(
      '',
      `
:KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
:KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-X KUBE-SEP-UHEGFW77JX3KXTOV
-X KUBE-SVC-2VJB64SDSIJUP5T6`,
    ),
  );

  // svc4 without endpoints: only a REJECT in the filter table.
  check(
    await step([svc1, svc3, svc4], [eps1, eps3], ['ns4/svc4']),
    expected(
      '-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j REJECT',
      `
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK`,
    ),
  );

  // svc4 gets its endpoint.
  check(
    await step([svc1, svc3, svc4], [eps1, eps3, eps4], ['ns4/svc4']),
    expected(
      '',
      `
:KUBE-SEP-AYCN5HPXMIRJNJXU - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SEP-AYCN5HPXMIRJNJXU -m comment --comment ns4/svc4:p80 -s 10.0.4.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-AYCN5HPXMIRJNJXU -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.4.1:80
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.0.4.1:80" -j KUBE-SEP-AYCN5HPXMIRJNJXU`,
    ),
  );
});
