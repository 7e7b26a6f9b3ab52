#!/usr/bin/env node
// The stealbench command. The harness is written in TypeScript and run through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
