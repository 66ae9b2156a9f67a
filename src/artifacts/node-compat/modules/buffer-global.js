/** @module Injected into bundles that name `Buffer` without importing it, as Node code does: the global comes from node:buffer. */
export { Buffer } from 'node:buffer';
