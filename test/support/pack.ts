import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The six published packages, by workspace folder. */
export const PUBLISHED = {
  '@inferometer/core': 'packages/core',
  '@inferometer/node': 'packages/node',
  '@inferometer/exporter-remote-write': 'packages/exporter-remote-write',
  '@inferometer/onnxruntime': 'packages/onnxruntime',
  '@inferometer/drift': 'packages/drift',
  '@inferometer/mlflow': 'packages/mlflow',
  '@inferometer/ops': 'packages/ops',
} as const;

export type PackageName = keyof typeof PUBLISHED;
export const PACKAGE_NAMES = Object.keys(PUBLISHED) as PackageName[];

export interface Tarball {
  readonly name: PackageName;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly path: string;
  /** Paths inside the package, as `npm pack` lists them. */
  readonly files: readonly string[];
}

/**
 * Packs every published package with `npm pack --workspace` into a fresh
 * temporary folder, the way a release would (it needs `npm run build`
 * first: the tarballs hold dist/).
 */
export async function packAll(): Promise<{ dir: string; tarballs: Record<PackageName, Tarball> }> {
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-pack-'));
  const args = ['pack', '--json', '--pack-destination', dir, ...PACKAGE_NAMES.flatMap((name) => ['--workspace', name])];
  const { stdout } = await run(npm(), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as { name: PackageName; version: string; filename: string; files: { path: string }[] }[];
  const tarballs = {} as Record<PackageName, Tarball>;
  for (const entry of packed) {
    tarballs[entry.name] = { name: entry.name, version: entry.version, path: join(dir, entry.filename), files: entry.files.map((f) => f.path) };
  }
  return { dir, tarballs };
}

/** The npm on PATH (CI and developers put the Node line under test first on PATH). */
export function npm(): string {
  return 'npm';
}

/** Runs npm in `cwd`, bounded in time; rejects with npm's output on failure. */
export async function runNpm(cwd: string, args: readonly string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run(npm(), [...args], { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The version range the repository itself uses for a devDependency (so a consumer gets what the repo tests with). */
export function rootDevRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const range = pkg.devDependencies[name];
  if (range === undefined) throw new Error(`${name} is not a root devDependency`);
  return range;
}
