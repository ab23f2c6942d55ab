// Debian's Firefox ESR, headless, driven by puppeteer-core over WebDriver BiDi (stock Firefox
// speaks it; playwright's Firefox needs a patched build). Preferences keep it off the network
// (updates, telemetry, captive-portal and connectivity checks) and accept the cluster's own CA's
// certificate, as a user clicks through the warning once. Each launch gets a fresh profile.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';

export const firefoxPath = '/usr/bin/firefox-esr';

export function firefoxMissing(): string | undefined {
  return existsSync(firefoxPath) ? undefined : `${firefoxPath} is missing (apt-get install firefox-esr); the Firefox test needs it`;
}

export async function launchFirefox(): Promise<Browser & { cleanup(): Promise<void> }> {
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = mkdtempSync(join(tmpdir(), 'kubesvc-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath,
    headless: true,
    userDataDir: profile,
    acceptInsecureCerts: true,
    defaultViewport: { width: 1400, height: 800 },
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'extensions.update.enabled': false,
    },
  });
  return Object.assign(browser, {
    async cleanup() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  });
}
