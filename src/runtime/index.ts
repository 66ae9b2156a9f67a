/** @module Public face of the runtime layer: the Engine port. Engines themselves are built in main.ts. */
export type {
  CreateResult,
  Engine,
  Environment,
  EnvironmentSpec,
  FatalReason,
  GuestError,
  InvokeRequest,
  InvokeResult,
} from './engine.ts';
