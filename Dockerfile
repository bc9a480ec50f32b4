# tyndau: build in one stage, run in a slim one as an unprivileged user.
#   podman build -t tyndau .        (or docker build)
#   config in /etc/tyndau, data (the SQLite file) in /var/lib/tyndau
FROM debian:bookworm-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential pkg-config libcjson-dev libsqlite3-dev libconfig-dev \
        libhiredis-dev libmicrohttpd-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile VERSION ./
COPY bot bot
COPY handlers handlers
COPY gateways gateways
RUN make build/tyndau

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcjson1 libsqlite3-0 libconfig9 libhiredis0.14 libmicrohttpd12 libcurl4 \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/tyndau --create-home --shell /usr/sbin/nologin tyndau
COPY --from=build /src/build/tyndau /usr/local/bin/tyndau
COPY config /etc/tyndau
RUN sed -i 's|path = "var/tyndau.db"|path = "/var/lib/tyndau/tyndau.db"|' /etc/tyndau/tyndau.conf \
    && tyndau -c /etc/tyndau/tyndau.conf check
USER tyndau
WORKDIR /var/lib/tyndau
VOLUME ["/etc/tyndau", "/var/lib/tyndau"]
EXPOSE 8080
ENTRYPOINT ["tyndau", "-c", "/etc/tyndau/tyndau.conf"]
CMD ["run"]
