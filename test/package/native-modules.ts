// Which installed packages are native modules: they compile or ship a Node-API binary, which ties an
// image to its platform and Node.js ABI (and may need a compiler at install time).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NativeFinding {
  dir: string;
  reason: 'binding.gyp' | 'gypfile: true' | '*.node';
  file?: string;
}

/** `dirs` are package directories (as `npm ls --parseable` lists them); nested node_modules are theirs to list. */
export function nativeModules(dirs: string[]): NativeFinding[] {
  const found: NativeFinding[] = [];
  for (const dir of dirs) {
    if (existsSync(join(dir, 'binding.gyp'))) found.push({ dir, reason: 'binding.gyp' });
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { gypfile?: unknown }).gypfile === true
    ) {
      found.push({ dir, reason: 'gypfile: true' });
    }
    for (const file of binaries(dir)) found.push({ dir, reason: '*.node', file });
  }
  return found;
}

function binaries(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...binaries(p));
    else if (entry.name.endsWith('.node')) out.push(p);
  }
  return out;
}
