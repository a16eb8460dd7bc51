# syntax=docker/dockerfile:1
# Libredesk API server. Build: docker build -t libredesk-api .   Run: docker compose up (see compose.yaml)
ARG NODE_IMAGE=node:20-bookworm-slim

# Compiles TypeScript with the full (dev) dependency set.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
RUN npm run build

# Production dependencies only; test/process/container.spec.ts runs this same install on a clean copy.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY openapi ./openapi
# The image's `node` user (uid 1000) owns the data volume; nothing under /app is writable by it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Liveness: /health answers 200 while the process serves and its database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 (exec form, no shell in between), so `docker stop`'s SIGTERM reaches the server, which
# drains requests and closes the database. It starts no child processes, so no zombie needs reaping;
# `docker run --init` (tini) is harmless if you prefer it.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
