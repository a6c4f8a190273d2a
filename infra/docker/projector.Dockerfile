# services/projector as a production image: the `npm run build` bundle (dist/projector/main.cjs) on plain
# node, with only the packages that bundle loads (dist/projector/package.json and its pruned lock,
# written by tools/build.mjs). No TypeScript, no tsx, nothing of the other services.
#   docker build -f infra/docker/projector.Dockerfile -t authtrail/projector .      (from the repository root)
#   docker run authtrail/projector --config /etc/authtrail/authtrail.yaml      (args append to the ENTRYPOINT)
# Runs as 10001:10001 on a read-only root filesystem: only /var/lib/authtrail (dataDir: the spool of its dead-letter producer)
# and /tmp need to be writable. The base image is pinned to the exact tag in all five Dockerfiles.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

# The runtime packages, installed from the pruned lock: the versions the tests ran with.
FROM node:24.21.0-bookworm-slim AS runtime-deps
WORKDIR /app
COPY --from=build /src/dist/projector/package.json /src/dist/projector/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/projector/ ./
# dataDir, owned by the service's user: a fresh named volume mounted here inherits the owner.
RUN mkdir -p /var/lib/authtrail && chown 10001:10001 /var/lib/authtrail
USER 10001:10001
EXPOSE 9465
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9465/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/main.cjs"]
CMD []
