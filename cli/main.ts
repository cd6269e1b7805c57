#!/usr/bin/env node
/**
 * The `synesthete` executable. `ingest` and `queue work` run again as a child process with the
 * allocator and V8 settings of cli/relaunch.ts; this file decides that before anything else is
 * imported, so the parent that only waits for the child holds a bare Node process's memory
 * rather than the command line's modules. Every command then runs in cli/program.ts.
 */
import { relaunchWithMallocTuning, runsRelaunched } from './relaunch.js';

const relaunched = runsRelaunched(process.argv.slice(2)) ? await relaunchWithMallocTuning() : null;
if (relaunched === null) await import('./program.js');
else process.exitCode = relaunched;
