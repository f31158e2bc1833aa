# One image for every part (web, worker, discord, slack); the compose file picks the command.
# Node 24 is the current LTS; the project also runs on 22 and, while machines still have it, on 20.19+.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# ffmpeg: the worker decodes MP4 clips (quality check, poster frame) with Debian's build.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly, so the runtime needs no build step.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY src ./src
COPY drizzle ./drizzle
COPY workflows ./workflows
COPY commands ./commands
COPY tsconfig.json ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8330
# Node itself is the container's main process so SIGTERM reaches the app (npm as PID 1 does not pass
# it on, and `tsx` the CLI adds a process of its own); compose also sets init: true for a real PID 1.
# tsx's loader via --import works on every Node this project supports (20.19+, 22, 24).
CMD ["node", "--import", "tsx", "src/main.ts"]
