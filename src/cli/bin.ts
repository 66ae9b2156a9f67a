/** @module The CLI's entry point, run by bin/stratus.js: bundled into dist/cli.mjs by `npm run build`, or from source through tsx. */
import { main } from './main.ts';

await main();
