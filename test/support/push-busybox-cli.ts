// Pushes the offline-built busybox image to a registry, as a command: for a registry inside a
// network namespace a test made, run it there (`ip netns exec <ns> node push-busybox-cli.js URL
// REPO TAG`), since the test's own process cannot reach that namespace's loopback.
import { pushBusybox } from './oci-push.js';

const [url, repo = 'test/busybox', tag = '1'] = process.argv.slice(2);
if (!url) {
  console.error('usage: push-busybox-cli.js http://127.0.0.1:PORT [repo] [tag]');
  process.exit(2);
}
const ref = await pushBusybox({ url, host: new URL(url).host }, repo, tag);
console.log(ref);
