# The LiveKit token server as a container image: docker build -t livekit-token-server .
# Two stages: `build` compiles server/src with the dev tools; `runtime` holds only the
# server's production dependencies and its compiled JavaScript. The request-token CLI is
# not shipped: it runs on callers' machines, not next to the server.
# __tests__/deploy/production-install.test.ts runs these stages' COPY and RUN lines as
# processes (no Docker engine needed) and starts the ENTRYPOINT below; keep them plain.

ARG NODE_IMAGE=node:20-bookworm-slim
# The build stage compiles better-sqlite3's native module when no prebuilt binary can be
# fetched: the full image has python3, make and g++; the same Node.js, so the same ABI.
ARG BUILD_IMAGE=node:20-bookworm

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY server/package.json server/tsconfig.build.json server/
# --ignore-scripts: the root `prepare` script builds every workspace, before the sources
# are here, and neither tsc nor the server needs a dependency's install script
# (__tests__/deploy/dockerfile.test.ts names each one the lock file has, and why).
# The cache mount keeps npm's download cache between builds and out of every layer.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
# The one install script the server needs: better-sqlite3's native module (the moderation
# store's SQLite), built here where the compilers are (JOBS=max: node-gyp on every core);
# the runtime stage copies it.
RUN JOBS=max npm rebuild better-sqlite3
COPY server/src server/src
COPY server/scripts server/scripts
# tsc, then the API reference's browser files from the swagger-ui-dist devDependency into
# server/dist/docs: the runtime stage below needs no package for them.
RUN npm run build --workspace server

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# The metrics listener on every interface of the container, since the server's default
# (127.0.0.1) cannot be reached from outside it. The port is for the cluster's scraper
# only: publish it where Prometheus reaches it, never to the internet.
ENV METRICS_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/
# Production dependencies of the server workspace only, exactly as locked. --ignore-scripts
# again: without it, `npm ci --omit=dev` still runs the root `prepare` script, whose `tsc`
# (a devDependency) is not installed, and the build fails.
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace server --ignore-scripts --no-audit --no-fund
COPY --from=build /app/server/dist server/dist
# better-sqlite3's native module alone (not its 20 MB of objects), built in the build stage.
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node node_modules/better-sqlite3/build/Release/
# DATA_DIR (default ./data, so /app/data): the moderation state (bans, caps, the audit
# trail) on a volume, the one folder the node user (uid 1000) may write, so that bans
# survive the container. With REDIS_URL the state lives in Redis instead.
RUN mkdir -p data && chown 1000:1000 data
VOLUME ["/app/data"]
# The node user (uid 1000) of the official image; it owns nothing in /app, so the
# server cannot rewrite its own code.
USER node
# 8002: the API (TOKEN_SERVER_PORT). 9464: Prometheus metrics (METRICS_PORT), for the
# cluster's scraper only: never publish it to the internet.
EXPOSE 8002 9464
# Liveness, with the Node.js already in the image (slim images have no curl or wget).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TOKEN_SERVER_PORT||process.env.PORT||8002)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself, then drains and exits.
ENTRYPOINT ["node", "server/dist/index.js"]
