/** @module node:worker_threads inside an isolate: the one thread there is (isMainThread); a Worker cannot be started. */
class Worker {
  constructor() {
    throw new Error('Node.js worker threads are not available on stratus-isolate; use the nodejs*.x runtime, or do the work in the handler');
  }
}
module.exports = { isMainThread: true, parentPort: null, workerData: null, threadId: 0, resourceLimits: {}, Worker, SHARE_ENV: Symbol.for('nodejs.worker_threads.SHARE_ENV') };
