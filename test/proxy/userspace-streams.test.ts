// userspace.test.ts again with TCP bytes copied through Node's streams instead of the tcp-relay
// addon: the path the proxy takes where the addon is not built.
process.env.KUBESVC_TEST_RELAY = 'streams';
await import('./userspace.test.js');
