/** Extracts a zip with unzip when the machine has it, else Python's zipfile module (one is on every image here). */
import { execFileSync, spawnSync } from 'node:child_process';

export function extract(zip: string, dir: string): void {
  const unzip = spawnSync('unzip', ['-q', '-o', zip, '-d', dir]);
  if (unzip.status === 0) return;
  execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
}
