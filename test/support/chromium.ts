// Debian's Chromium, headless, driven by playwright-core (its own browser downloads cannot reach
// the internet). The flags keep it off the network: without the background-networking ones it
// tries to reach Google's services and the closed network refuses it. launch() gives each
// browser a fresh profile directory of its own and removes it after.
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(chromiumPath) ? undefined : `${chromiumPath} is missing (apt-get install chromium); the browser tests need it`;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A context that accepts the cluster's own CA, as a user clicks through the browser's warning once. */
export function clusterContext(browser: Browser, viewport = { width: 1400, height: 800 }): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport });
}
