// A fetch for tests that refuses anything but 127.0.0.0/8, so a test that goes wrong (a mirror
// that fails over to Docker Hub) cannot reach the internet.
export const loopbackOnlyFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  if (!/^127\./.test(url.hostname) && url.hostname !== 'localhost') {
    throw new TypeError('fetch failed', { cause: new Error(`test refused a request to ${url.host}`) });
  }
  return fetch(input, init);
};
