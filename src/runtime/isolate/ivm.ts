/**
 * @module The one place isolated-vm is loaded: picks the release whose binary fits the running
 * Node.js and says which one it is, or explains in one line why none fits.
 *
 * No isolated-vm release spans Node 20 to 26, so Stratus installs three under aliases (see
 * scripts/isolated-vm-build.cjs): 7.0.1 (prebuilt for Node 24, 26), 6.2.0 (prebuilt for 22, 24)
 * and 5.0.4 (compiled at install, for Node 20). Their type definitions are identical, so the types
 * come from 5.0.4, the one npm installs on every Node (6.2.0 and 7.0.1 declare newer engines, so
 * npm skips them where they cannot load). Tried newest first: on Node 24 both 7 and 6 fit, and 7
 * has the later fixes. Loaded lazily, once, so that a Node it cannot serve gets one clear line from
 * the caller rather than a stack trace at import.
 */
import { createRequire } from 'node:module';
import type IsolatedVM from 'isolated-vm-5';

export type { IsolatedVM };

export interface IsolatedVmBuild {
  /** The alias it was loaded from, e.g. `isolated-vm-7`. */
  package: string;
  /** isolated-vm's own version, e.g. `7.0.1`. */
  version: string;
}

const RELEASES = ['isolated-vm-7', 'isolated-vm-6', 'isolated-vm-5'] as const;

/** Thrown when no installed release loads on this Node; its message is the one line to print. */
export class IsolatedVmUnavailable extends Error {
  override name = 'IsolatedVmUnavailable';
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0]!.slice(0, 200);
}

function load(): { ivm: typeof IsolatedVM; build: IsolatedVmBuild } {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const name of RELEASES) {
    try {
      const ivm = require(name) as typeof IsolatedVM;
      const { version } = require(`${name}/package.json`) as { version: string };
      return { ivm, build: { package: name, version } };
    } catch (err) {
      tried.push(`${name}: ${firstLine(err)}`);
    }
  }
  const node = `Node.js ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch})`;
  throw new IsolatedVmUnavailable(
    `stratus-isolate cannot run on ${node}: no installed isolated-vm build loads. ` +
      `Run on Node.js 20, 22, 24 or 26 (Linux x64) and reinstall with \`npm ci\`. Tried ${tried.join('; ')}`,
  );
}

let loaded: { ivm: typeof IsolatedVM; build: IsolatedVmBuild } | undefined;

/** The isolated-vm module for this Node (loaded on first use; throws {@link IsolatedVmUnavailable}). */
export function isolatedVm(): typeof IsolatedVM {
  loaded ??= load();
  return loaded.ivm;
}

/** Which release {@link isolatedVm} loaded, for the startup line and /stratus/v1/status. */
export function isolatedVmBuild(): IsolatedVmBuild {
  loaded ??= load();
  return loaded.build;
}
