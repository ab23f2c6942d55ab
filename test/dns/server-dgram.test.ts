// server.test.ts again with IPv4 UDP over Node's dgram instead of the udp-batch addon: the path
// the server takes where the addon is not built, and for IPv6 listeners.
process.env.KUBESVC_TEST_DNS_UDP = 'dgram';
await import('./server.test.js');
