#!/usr/bin/env node
// The entry point that bin/request-token.js loads: runs the program on the real process
// and sets its exit code, letting pending output drain rather than calling process.exit.
import { run } from './program';

void run(process.argv).then((exitCode) => (process.exitCode = exitCode));
