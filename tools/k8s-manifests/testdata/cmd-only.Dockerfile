# The authn image as it was before issue #18 (CMD only, ENTRYPOINT inherited from node:20): the
# old Deployment's args replaced its CMD and the container ran `node --config …` (exit 9).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs ./libs
COPY services ./services
COPY tools ./tools
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app /app
RUN mkdir -p /var/lib/authtrail && chown node:node /var/lib/authtrail
USER node
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--import", "tsx", "services/authn/src/main.ts"]
