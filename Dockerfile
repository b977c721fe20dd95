# callvault container: build with the Swift image, run on slim Debian with only the runtime libraries.
# The build installs the same Debian -dev packages as scripts/deps.sh (CALLVAULT_BUILD_PACKAGES).
FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsndfile1-dev libopus-dev libogg-dev libsoxr-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product callvault --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/callvault" /usr/local/bin/callvault

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsndfile1 libopus0 libogg0 libsoxr0 libsqlite3-0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 999 callvault \
 && useradd --system --uid 999 --gid callvault --home-dir /data --shell /usr/sbin/nologin callvault \
 && mkdir -p /spool /archive /data \
 && chown callvault:callvault /spool /archive /data
COPY --from=build /usr/local/bin/callvault /usr/local/bin/callvault
USER callvault
VOLUME ["/spool", "/archive", "/data"]
# Watch mode rewrites the metrics file after every spool scan (every 2 s): a stale file means a stuck worker.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD find /data/metrics.prom -mmin -2 | grep -q . || exit 1
ENTRYPOINT ["callvault"]
CMD ["run", "--spool", "/spool", "--archive", "/archive", "--db", "/data/callvault.sqlite", \
     "--metrics-file", "/data/metrics.prom", "--metrics-listen", "0.0.0.0:9464", "--log-format", "json"]
EXPOSE 9464
