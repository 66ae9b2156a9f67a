#!/usr/bin/env node
// Postinstall: makes sure one isolated-vm build fits the running Node.js, compiling only when none
// ships prebuilt for it.
//
// Stratus depends on three isolated-vm releases under aliases (isolated-vm-5, -6, -7), because no
// single release spans the Node majors users run: 6.2.0 ships prebuilt binaries for Node 22 and 24,
// 7.0.1 for Node 24 and 26, and Node 20 needs 5.0.4 compiled from source. Their own install
// scripts are not allowed to run (package.json `allowScripts`): they would try to compile every
// release on every Node, which wastes minutes and fails on the majors a release does not support.
// This script compiles 5.0.4 only where it is the one that serves, with npm's own node-gyp.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const modules = join(root, 'node_modules');

function prebuiltFits(pkg) {
  const dir = join(modules, pkg);
  if (!existsSync(dir)) return false;
  try {
    require(require.resolve('node-gyp-build', { paths: [dir] })).path(dir);
    return true;
  } catch {
    return false;
  }
}

function main() {
  const node = `Node.js ${process.version} (ABI ${process.versions.modules})`;
  for (const pkg of ['isolated-vm-7', 'isolated-vm-6']) {
    if (prebuiltFits(pkg)) return;
  }
  const dir = join(modules, 'isolated-vm-5');
  if (!existsSync(dir)) {
    console.warn(`stratus: no isolated-vm build fits ${node}; stratus-isolate functions will not run. Use Node.js 20, 22, 24 or 26.`);
    return;
  }
  if (existsSync(join(dir, 'out', 'isolated_vm.node'))) return;
  const gyp = process.env.npm_config_node_gyp || require.resolve('node-gyp/bin/node-gyp.js', { paths: [process.execPath] });
  console.log(`stratus: compiling isolated-vm 5.0.4 for ${node} (about two minutes)`);
  const run = spawnSync(process.execPath, [gyp, 'rebuild', '--release', '-j', 'max'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) {
    console.warn(`${run.stdout}${run.stderr}`.split('\n').slice(-40).join('\n'));
    console.warn(
      `stratus: compiling isolated-vm 5.0.4 failed (above); stratus-isolate functions will not run on ${node}. Install python3, make and g++, or use Node.js 22 or later (prebuilt).`,
    );
    return;
  }
  spawnSync(process.execPath, [gyp, 'clean'], { cwd: dir, stdio: 'ignore' });
}

main();
