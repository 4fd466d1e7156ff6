#!/usr/bin/env bash
# The run command (README): builds and starts the daemon. With no config it serves the demo port on 127.0.0.1:7000 and
# the management API, dashboard and browser terminal on http://127.0.0.1:7900/. Arguments go to `concentrator serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The build restores xterm.js (the browser terminal) with npm: install nodejs and npm from Debian's packages if missing.
if ! command -v npm >/dev/null 2>&1; then
  echo "installing the build's one extra need: nodejs npm"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run --project src/Concentrator -c Release -- serve "$@"
