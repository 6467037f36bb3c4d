# CloudShell: one image, one process, serving the UI, the API and the terminal WebSocket on
# port 3000, with its data (SQLite database, generated key, node id) in the /data volume.
#   docker build -t cloudshell .
#   docker run -p 3000:3000 -v cloudshell-data:/data cloudshell

# --- Build: the release server binary and the site (wasm, js, css, static files). ---
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The toolchain pieces first, so a source change does not rebuild cargo-leptos.
COPY scripts/bootstrap.sh scripts/bootstrap.sh
COPY Cargo.lock package.json package-lock.json ./
RUN mkdir -p public \
 && scripts/bootstrap.sh run
COPY . .
RUN scripts/bootstrap.sh run \
 && cargo leptos build --release \
 && mkdir -p /out \
 && cp target/release/server /out/server \
 && cp -r target/site /out/site

# --- Run: a slim Debian with the binary, the site and curl for the healthcheck. ---
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin cloudshell \
 && mkdir -p /data \
 && chown cloudshell:cloudshell /data
COPY --from=build /out/server /app/server
COPY --from=build /out/site /app/site
ENV LISTEN_ADDR=0.0.0.0:3000 \
    DATA_DIR=/data \
    LEPTOS_OUTPUT_NAME=cloudshell \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD \
    RUST_LOG=info
VOLUME /data
EXPOSE 3000
USER cloudshell
WORKDIR /app
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/api/health || exit 1
# SIGTERM (docker stop) ends every terminal session and flushes the audit log before exit.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/server"]
