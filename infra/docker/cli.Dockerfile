# The authtrail CLI as an image: the `npm run build` bundle dist/cli/authtrail.cjs on plain node,
# with only the packages it loads (dist/cli/package.json and its pruned lock, tools/build.mjs).
#   docker build -f infra/docker/cli.Dockerfile -t authtrail/cli .            (from the repository root)
#   docker run --rm -v demo:/demo authtrail/cli demo init --dir /demo        (compose's demo-init)
#   docker run --rm -v "$PWD:/work:ro" authtrail/cli config validate --config /work/authtrail.yaml
# Every command works; `authtrail start` needs `database.url`: the embedded PostgreSQL binaries
# (60 MB, loaded only by `start` without a database) are not in the image.
# Runs as 10001:10001 (the services' user) on a read-only root filesystem; writable: /demo, the
# mount point for compose's `demo` volume (created here, owned by 10001, so a fresh named volume
# inherits that owner and the services can read the 0600 files), /var/lib/authtrail and /tmp.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm run build

# The runtime packages, installed from the pruned lock: the versions the tests ran with.
FROM node:24.21.0-bookworm-slim AS runtime-deps
WORKDIR /app
COPY --from=build /src/dist/cli/package.json /src/dist/cli/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/cli/ ./
RUN mkdir -p /demo /var/lib/authtrail && chown 10001:10001 /demo /var/lib/authtrail
USER 10001:10001
ENTRYPOINT ["node", "/app/authtrail.cjs"]
CMD ["help"]
