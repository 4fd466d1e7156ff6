#!/usr/bin/env bash
# The test command (README, .ci/run): installs the real clients the tests drive, then runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real peers the tests use: socat (raw TCP client, pty relays, OPENSSL:), pyserial (rfc2217:// client), telnet,
# openssl (test CAs and certificates, s_client), OpenSSH (sshd and ssh for SSH entry), curl (the management API),
# PostgreSQL (the lease store), chromium (the dashboard's browser tests drive Debian's build through Playwright: no
# browser is downloaded); and the tools that read what packaging/ ships: systemd-analyze (the unit) and Debian's
# docker-compose (docker-compose.yml). The build needs nodejs and npm: src/Concentrator.Web restores xterm.js with `npm ci`.
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
missing=()
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v ip >/dev/null 2>&1 || missing+=(iproute2) # the cluster partition test: a network namespace and blackhole routes
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v telnet >/dev/null 2>&1 || missing+=(telnet)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# mDNS announcements: the tests run their own dbus-daemon and avahi-daemon and browse with avahi-browse.
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus)
[ -x /usr/sbin/avahi-daemon ] || missing+=(avahi-daemon)
command -v avahi-browse >/dev/null 2>&1 || missing+=(avahi-utils)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
/usr/bin/python3 -c 'import serial' >/dev/null 2>&1 || missing+=(python3 python3-serial)
[ -x /usr/sbin/ser2net ] || missing+=(ser2net) # upstream device tests: our port aggregating a real ser2net RFC 2217 port
command -v ipmitool >/dev/null 2>&1 || missing+=(ipmitool) # IPMI power and SOL (exec:) against a simulated BMC
command -v ipmi_sim >/dev/null 2>&1 || missing+=(openipmi) # ipmi_sim, the BMC simulator those tests drive
# PostgreSQL for the lease store tests, which start a server of their own (initdb into a temp dir).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v asciinema >/dev/null 2>&1 || missing+=(asciinema) # recordings: the real asciinema plays our .cast files (asciinema cat)
command -v script >/dev/null 2>&1 || missing+=(bsdutils) # asciinema cat needs a terminal: script gives it a pty
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test peers: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The migration tests import the example configs that conserver and ConMan ship (conserver.cf(5)'s sample, conman.conf).
# The packages are unpacked, not installed: installing them would start both daemons.
export CONCENTRATOR_FOREIGN_CONFIGS="${CONCENTRATOR_FOREIGN_CONFIGS:-${XDG_CACHE_HOME:-$HOME/.cache}/concentrator-tests/foreign-configs}"
if [ ! -f "$CONCENTRATOR_FOREIGN_CONFIGS/etc/conman.conf" ] || [ ! -d "$CONCENTRATOR_FOREIGN_CONFIGS/usr/share/doc/conserver-server" ]; then
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -qq conserver-server conman >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update -qq && apt-get download -qq conserver-server conman >/dev/null; })
  mkdir -p "$CONCENTRATOR_FOREIGN_CONFIGS"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$CONCENTRATOR_FOREIGN_CONFIGS"; done
  rm -rf "$debs"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet build Concentrator.sln -c Release -nologo -v quiet
log=$(mktemp)
status=0
# -m:1: one test assembly at a time. The integration tests run real daemons, ptys and clients, and on two cores
# they should not also compete with four other test assemblies; their classes still run in parallel.
dotnet test Concentrator.sln -c Release --no-build -nologo -v quiet -m:1 --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

# One plain closing line summing all test projects.
awk '/(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:")  { f += $(i+1) }
         if ($i == "Passed:")  { p += $(i+1) }
         if ($i == "Skipped:") { s += $(i+1) }
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
