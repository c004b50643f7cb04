# syntax=docker/dockerfile:1
#
# segcov in a container.
#   docker build -t segcov .
#   docker run -d -p 8006:8006 -v /srv/wubloader:/data:ro -v segcov-maps:/maps \
#     segcov CHANNEL --base-dir /data --output-dir /maps --qualities source,480p
# The store is mounted read-only; the maps go to their own volume (or drop --output-dir and
# mount the store read-write to keep them in BASE/coverage-maps).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile the TypeScript with the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script compiles, and the sources are not copied yet.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
# tsconfig also includes test/ and bench/, which are not in the image: only src/ is compiled.
RUN npx tsc -p tsconfig.json && test -f dist/src/cli/main.js

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# ---- runtime: node, ffmpeg (for the import tools), the compiled program, no compilers ----
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 segcov \
 && useradd --system --uid 10001 --gid segcov --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin segcov \
 && install -d -o segcov -g segcov /maps
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json LICENSE ./
COPY bin ./bin
# docs/coverage.md: what the numbers mean, served by the daemon at /docs/coverage.md.
COPY docs ./docs
USER 10001:10001
EXPOSE 8006
# Node 20's fetch: no curl or wget needed in the image. SEGCOV_METRICS_PORT is also the
# daemon's own environment name for --metrics-port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SEGCOV_METRICS_PORT || 8006) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/segcov.js"]
CMD ["--help"]
