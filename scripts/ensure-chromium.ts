// The report's browser test drives Debian's Chromium (no browser download is possible here).
// On a fresh machine of this kind it is not installed yet: install it once, as root, with apt.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `Chromium is not at ${CHROMIUM}: install Debian's chromium package (or set CHROMIUM_PATH) for the report's browser test.`,
    );
    process.exit(1);
  }
  console.log('Installing Debian chromium for the report browser test (once per machine)...');
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
}
