# callvault container: build with the Swift image, run on slim Debian with only the runtime libraries.
# Build steps match scripts/deps.sh (same Debian packages).
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
 && apt-get install -y --no-install-recommends libsndfile1 libopus0 libogg0 libsoxr0 libsqlite3-0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system callvault && useradd --system --gid callvault --home-dir /data callvault \
 && mkdir -p /spool /archive /data && chown callvault:callvault /spool /archive /data
COPY --from=build /usr/local/bin/callvault /usr/local/bin/callvault
USER callvault
VOLUME ["/spool", "/archive", "/data"]
ENTRYPOINT ["callvault"]
CMD ["run", "--spool", "/spool", "--archive", "/archive", "--db", "/data/callvault.sqlite"]
