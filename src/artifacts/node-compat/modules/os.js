/**
 * @module node:os inside an isolate: what a Lambda function sees of its machine, and nothing of the
 * host's (one CPU, MemorySize as the total memory, a fixed host name).
 */
const env = () => globalThis.process?.env || {};
const totalmem = () => Number(env().AWS_LAMBDA_FUNCTION_MEMORY_SIZE || 128) * 1048576;
const cpu = { model: 'stratus-isolate', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };

module.exports = {
  EOL: '\n',
  devNull: '/dev/null',
  arch: () => 'x64',
  machine: () => 'x86_64',
  platform: () => 'linux',
  type: () => 'Linux',
  release: () => '5.10.0',
  version: () => '#1 SMP',
  endianness: () => 'LE',
  hostname: () => 'localhost',
  homedir: () => '/tmp',
  tmpdir: () => '/tmp',
  uptime: () => (globalThis.process ? globalThis.process.uptime() : 0),
  loadavg: () => [0, 0, 0],
  totalmem,
  freemem: () => Math.max(0, totalmem() - (globalThis.process ? globalThis.process.memoryUsage().heapUsed : 0)),
  availableParallelism: () => 1,
  cpus: () => [{ ...cpu, times: { ...cpu.times } }],
  networkInterfaces: () => ({}),
  userInfo: () => ({ uid: 993, gid: 990, username: 'sbx_user1051', homedir: '/tmp', shell: null }),
  getPriority: () => 0,
  setPriority: () => {},
  constants: { signals: {}, errno: {}, priority: {}, dlopen: {} },
};
