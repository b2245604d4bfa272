import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run); no browser is ever downloaded from npm. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium as this machine runs it: as root (no sandbox), and with nothing of its own
 * calling out (the network is closed here, and its refusals would only slow it down).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
