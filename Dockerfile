# tyndau: built in one stage, run in a slim one as an unprivileged user.
#   podman build -t tyndau .        (or docker build; tests/integration/container builds and runs it)
#   podman run -e TELEGRAM_BOT_TOKEN=... -e TYNDAU_REDIS=redis:6379 -p 8080:8080 \
#       -v tyndau-data:/var/lib/tyndau tyndau
# The configuration is /etc/tyndau/tyndau.conf (the Almaty example; mount your own over
# /etc/tyndau), the database /var/lib/tyndau/tyndau.db.  What a container sets from its
# environment (each with its default):
#   TELEGRAM_BOT_TOKEN, KANNEL_PASSWORD, SMS_INBOUND_SECRET   the secrets (no defaults)
#   TYNDAU_LISTEN=0.0.0.0:8080        the listener
#   TYNDAU_REDIS=127.0.0.1:6379       Redis, as HOST or HOST:PORT
#   TYNDAU_TELEGRAM_API_URL=https://api.telegram.org   or a local Bot API server
#   TYNDAU_TELEGRAM_MODE=polling      or webhook, with TYNDAU_WEBHOOK_URL and
#                                     TYNDAU_WEBHOOK_SECRET
#   TYNDAU_SMS_PROVIDER=none          or kannel, with TYNDAU_SENDSMS_URL and TYNDAU_DLR_URL
# With neither a token nor an SMS provider it exits 1 and says so.
FROM docker.io/library/debian:bookworm-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential pkg-config libcjson-dev libsqlite3-dev libconfig-dev \
        libhiredis-dev libmicrohttpd-dev libcurl4-openssl-dev libstemmer-dev libxlsxwriter-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile VERSION README.md CHANGELOG.md LICENSE ./
COPY bot bot
COPY handlers handlers
COPY gateways gateways
COPY config config
COPY docs/man docs/man
COPY packaging packaging
COPY scripts/install-config scripts/install-config
RUN make build/tyndau && make install DESTDIR=/out PREFIX=/usr \
    && rm -rf /out/usr/lib/systemd /out/usr/lib/sysusers.d /out/etc/tyndau/tyndau.env /out/var \
    && sed -i \
        -e 's|listen = "127.0.0.1:8080"|listen = "env:TYNDAU_LISTEN:0.0.0.0:8080"|' \
        -e 's|host = "127.0.0.1";|host = "env:TYNDAU_REDIS:127.0.0.1";|' \
        -e 's|api_url = "https://api.telegram.org"|api_url = "env:TYNDAU_TELEGRAM_API_URL:https://api.telegram.org"|' \
        -e 's|mode = "polling"|mode = "env:TYNDAU_TELEGRAM_MODE:polling"|' \
        -e 's|webhook_url = ""|webhook_url = "env:TYNDAU_WEBHOOK_URL:"|' \
        -e 's|webhook_secret = ""|webhook_secret = "env:TYNDAU_WEBHOOK_SECRET:"|' \
        -e 's|provider = "none"|provider = "env:TYNDAU_SMS_PROVIDER:none"|' \
        -e 's|sendsms_url = "\([^"]*\)"|sendsms_url = "env:TYNDAU_SENDSMS_URL:\1"|' \
        -e 's|dlr_url = "\([^"]*\)"|dlr_url = "env:TYNDAU_DLR_URL:\1"|' \
        -e 's|web      = { url = ""|web      = { url = "env:TYNDAU_WEB_URL:"|' \
        /out/etc/tyndau/tyndau.conf \
    && for v in TYNDAU_LISTEN TYNDAU_REDIS TYNDAU_TELEGRAM_API_URL TYNDAU_TELEGRAM_MODE TYNDAU_WEBHOOK_URL \
            TYNDAU_WEBHOOK_SECRET TYNDAU_SMS_PROVIDER TYNDAU_SENDSMS_URL TYNDAU_DLR_URL TYNDAU_WEB_URL; do \
        grep -q "env:$v:" /out/etc/tyndau/tyndau.conf || { echo "no $v in the config"; exit 1; }; \
    done

FROM docker.io/library/debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcjson1 libsqlite3-0 libconfig9 libhiredis0.14 libmicrohttpd12 libcurl4 libstemmer0d \
        libxlsxwriter4 \
        ca-certificates \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
        /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* \
    && useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin tyndau \
    && install -d -o tyndau -g tyndau -m 0700 /var/lib/tyndau
COPY --from=build /out/ /
RUN tyndau -c /etc/tyndau/tyndau.conf check
USER tyndau
WORKDIR /var/lib/tyndau
VOLUME ["/var/lib/tyndau"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["tyndau", "-c", "/etc/tyndau/tyndau.conf", "probe"]
ENTRYPOINT ["tyndau", "-c", "/etc/tyndau/tyndau.conf"]
CMD ["run"]
