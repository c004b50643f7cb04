# syntax=docker/dockerfile:1
#
# segcov in a container, a drop-in for wubloader's segment_coverage image: its compose and
# Kubernetes entries run it unchanged (store mounted at /mnt, maps in /mnt/coverage-maps,
# port 8006 in compose and `--metrics-port 80` in Kubernetes).
#   docker build -t segcov .
#   docker run -d -p 8006:8006 -v /srv/wubloader/segments:/mnt segcov \
#     CHANNEL --base-dir /mnt --qualities source,480p --make-page --connection-string "$DSN"
#
# Users: the container starts as root, as the replaced checker's did, because the stock
# deployments mount a root-owned store and expect the maps inside it, and Kubernetes' entry
# binds port 80. segcov binds its port and creates its output folder (owned by the segcov
# user) as root, then drops to SEGCOV_USER (uid 10001) for good before it reads anything.
# Set SEGCOV_USER=root to keep root, or run the container as any non-root user (then the
# output folder must be writable by it, and a port below 1024 needs NET_BIND_SERVICE or
# net.ipv4.ip_unprivileged_port_start=0). docs/container.md has the trade-off.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile the TypeScript and bundle the CLI, with the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script builds, and the sources are not copied yet (esbuild
# needs no install script: its binary comes as an optional dependency).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
# the build's last step trains the bundle's code cache through bin/loadBundle.js
COPY bin ./bin
# `npm run build`: tsc (tsconfig also includes test/ and bench/, which are not in the image:
# only src/ and scripts/ are compiled), then esbuild bundles the CLI into dist/bundle/.
RUN npm run build && test -f dist/bundle/main.cjs && test -f dist/bundle/main.cjs.cache

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# ---- runtime: node, ffmpeg (for the import tools), the bundled program, no compilers ----
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 segcov \
 && useradd --system --uid 10001 --gid segcov --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin segcov \
 && install -d -o segcov -g segcov /maps
WORKDIR /app
# MALLOC_ARENA_MAX=2: glibc keeps one malloc arena per allocating thread (libuv's pool, V8's helpers),
# each with its own freed fragments; with 2, RSS stays flat under churn (see config/segcov.service)
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    SEGCOV_USER=10001:10001 \
    SEGCOV_PORT_FILE=/tmp/segcov-healthz-url
COPY --from=deps /app/node_modules ./node_modules
# the bundled CLI (bin/segcov.js runs dist/bundle/main.cjs with its code cache, made by the build
# stage's Node, which is the runtime's); pg and bcryptjs are loaded from node_modules when
# needed
COPY --from=build /src/dist/bundle ./dist/bundle
COPY package.json LICENSE ./
COPY bin ./bin
# docs/coverage.md: what the numbers mean, served by the daemon at /docs/coverage.md.
COPY docs ./docs
# root only until the port is bound and the output folder made (see the header)
USER 0:0
EXPOSE 8006 80
# Node 20's fetch: no curl or wget needed. The daemon writes the URL of its /healthz to
# SEGCOV_PORT_FILE once listening, so the check follows --metrics-port however given.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/bin/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/segcov.js"]
CMD ["--help"]
