# syntax=docker/dockerfile:1
# issuesmith: the webhook server and a worker. Not built on the machine this
# was written on (no Docker engine there); see README "Docker".

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the image's Node 24 replaces the pinned `node` dev package.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
# git for clones and pushes, ripgrep for the search tool, bubblewrap for the
# sandbox, python3 for Python repositories' syntax checks and tests.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ripgrep bubblewrap ca-certificates python3 util-linux \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
# The cache sits beside the workspaces, on the container's own file system:
# a job takes its repository's spare workspace by a rename, which works only
# within one file system (and a cache may be lost with the container).
ENV NODE_ENV=production \
    AGENT_DATA_DIR=/data \
    AGENT_WORK_DIR=/tmp/issuesmith \
    AGENT_CACHE_DIR=/tmp/issuesmith-cache \
    PORT=3000
RUN mkdir -p /data /tmp/issuesmith /tmp/issuesmith-cache && chown node:node /data /tmp/issuesmith /tmp/issuesmith-cache
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/server.ts"]
