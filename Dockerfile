# One image for the hub (`edgehub start`) and the agent (`edgehub agent`); `edgehub install` runs from it too.
#   docker build -t ghcr.io/edgehub/edgehub:0.1.0 .
# The agent starts hubs with its own image (EDGEHUB_HUB_IMAGE in deploy/agent/deployment.yaml).

# Build: compile the TypeScript to dist/ (tsconfig.build.json), then drop the dev dependencies. better-sqlite3
# is installed (and, when no prebuilt binary fits, compiled) here, for this Node version and libc.
FROM node:22-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: Node, dist/, the production node_modules, bin/ and package.json; no TypeScript sources, so
# bin/edgehub.js runs dist/cli/edgehub.js (tsx stays a dependency, unused here).
FROM node:22-bookworm-slim
ENV NODE_ENV=production
# The hub's V8 flags (cli/node-flags.ts), for the entry point and for the `edgehub` command the hub's pod runs.
ENV NODE_OPTIONS="--max-semi-space-size=8"
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The hub's Deployment runs the command `edgehub` (agent/plan/hub-args.ts).
RUN ln -s /app/bin/edgehub.js /usr/local/bin/edgehub
# uid and gid 1000 (the base image's "node" user), as in the hub's and the agent's securityContext.
USER 1000:1000
ENTRYPOINT ["node", "/app/bin/edgehub.js"]
CMD ["--help"]
