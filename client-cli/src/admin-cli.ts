#!/usr/bin/env node
// The entry point that bin/token-admin.js loads: runs token-admin on the real process and
// sets its exit code, letting pending output drain rather than calling process.exit.
import { runAdmin } from './admin-program';

void runAdmin(process.argv).then((exitCode) => (process.exitCode = exitCode));
