#!/usr/bin/env bash
# Starts the LiveKit token server from a fresh clone: checks Node.js, installs and builds
# when needed, then execs the server so that SIGTERM/SIGINT reach it directly.
# Configuration comes from the environment and from .env in this folder (see .env.example).
set -euo pipefail

cd "$(dirname "$0")"

required_major=20
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js ${required_major} or newer is required, and 'node' is not on PATH." >&2
  echo "Install it from https://nodejs.org/ or with your package manager, then run this again." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt "$required_major" ]; then
  echo "Node.js ${required_major} or newer is required; this is $(node --version)." >&2
  exit 1
fi

# Install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi

# Build when the server has not been built, or any source is newer than the build.
entry=server/dist/index.js
if [ ! -f "$entry" ] || [ -n "$(find server/src client-cli/src -newer "$entry" -print -quit)" ]; then
  echo "Building..."
  npm run build --silent
fi

exec node "$entry"
