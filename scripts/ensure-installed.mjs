// Run by npm before `npm start` and `npm test` (prestart, pretest): on a fresh clone, or after
// package-lock.json changed, installs exactly what the lock file says; otherwise does nothing.
// Plain JavaScript with Node's built-ins only: it runs before anything else is installed.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const modifiedAt = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
};

const installed = modifiedAt('node_modules/.package-lock.json');
const locked = modifiedAt('package-lock.json');
if (installed === undefined || (locked !== undefined && locked > installed)) {
  console.log(installed === undefined ? 'Installing the dependencies (npm ci)...' : 'package-lock.json changed: installing the dependencies again (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('npm ci failed: see its output above.');
    process.exit(result.status ?? 1);
  }
}
