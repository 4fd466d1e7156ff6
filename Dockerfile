# The concentrator daemon in a container: the same self-contained single-file build that packaging/install.sh
# installs for systemd, in the same places (/opt/concentrator, /etc/concentrator, /var/lib and /var/log/concentrator).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Set by BuildKit (amd64, arm64); dotnet publish -a takes the same names.
ARG TARGETARCH
WORKDIR /src
# The build restores xterm.js (the browser terminal) with npm ci.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY . .
RUN dotnet publish src/Concentrator -c Release -a "${TARGETARCH:-amd64}" --self-contained -p:PublishSingleFile=true -o /publish

# A self-contained build needs only the native libraries .NET itself uses (runtime-deps), and curl for the health check.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/concentrator /var/log/concentrator
COPY --from=build /publish/ /opt/concentrator/
COPY packaging/concentrator.conf /etc/concentrator/concentrator.conf
# The HTTP API's health endpoint, served on 127.0.0.1:7900 inside the container's network namespace.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:7900/healthz || exit 1
ENTRYPOINT ["/opt/concentrator/concentrator"]
CMD ["serve", "--config", "/etc/concentrator/concentrator.conf"]
