#!/usr/bin/env bash
# Installs concentrator as a systemd service (README: "Running as a service").
#
#   sudo packaging/install.sh        publish a self-contained single-file build (needs the .NET SDK) and install it
#   sudo packaging/install.sh DIR    install a build already published to DIR (self-contained or framework-dependent)
#
# What goes where:
#   /opt/concentrator/                        the published build (and README.md)
#   /usr/local/bin/concentrator               a link to it, for the client commands and `serve --check`
#   /etc/concentrator/concentrator.conf       packaging/concentrator.conf, only when there is no config yet
#   /etc/systemd/system/concentrator.service  packaging/systemd/concentrator.service
#   /etc/modules-load.d/concentrator.conf     the USB serial drivers, loaded at boot (the unit's DeviceAllow)
#   user and group concentrator               a system account: no login, no home; the unit adds dialout
# /var/lib/concentrator and /var/log/concentrator are created by systemd when the service starts.
#
# With DESTDIR=/some/root the files go under that root, and the account, modprobe and systemctl are skipped
# (for packaging and tests). Nothing is enabled or started: the script prints the command that does.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
root=${DESTDIR:-}
published=${1:-}

if [ -z "$published" ]; then
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "install.sh: no runtime identifier for $(uname -m); publish yourself and pass the directory" >&2; exit 2 ;;
  esac
  published=$(mktemp -d)
  trap 'rm -rf "$published"' EXIT
  echo "publishing a self-contained $rid build"
  dotnet publish "$repo/src/Concentrator" -c Release -r "$rid" --self-contained -p:PublishSingleFile=true \
    -o "$published" -nologo -v quiet
fi

if [ ! -f "$published/concentrator" ]; then
  echo "install.sh: $published has no concentrator executable (dotnet publish output expected)" >&2
  exit 2
fi

# The build: the executable, the native libraries and (framework-dependent builds) assemblies next to it.
install -d -m 0755 "$root/opt/concentrator"
(cd "$published" && find . -type d) | while read -r d; do install -d -m 0755 "$root/opt/concentrator/$d"; done
(cd "$published" && find . -type f) | while read -r f; do install -m 0644 "$published/$f" "$root/opt/concentrator/$f"; done
chmod 0755 "$root/opt/concentrator/concentrator"
install -m 0644 "$repo/README.md" "$root/opt/concentrator/README.md"
install -d -m 0755 "$root/usr/local/bin"
ln -sfn /opt/concentrator/concentrator "$root/usr/local/bin/concentrator"

# The config is the administrator's: an existing one is never replaced.
install -d -m 0755 "$root/etc/concentrator"
if [ -e "$root/etc/concentrator/concentrator.conf" ]; then
  echo "keeping the existing /etc/concentrator/concentrator.conf"
else
  install -m 0644 "$repo/packaging/concentrator.conf" "$root/etc/concentrator/concentrator.conf"
fi
install -D -m 0644 "$repo/packaging/systemd/concentrator.service" "$root/etc/systemd/system/concentrator.service"
install -D -m 0644 "$repo/packaging/modules-load.d/concentrator.conf" "$root/etc/modules-load.d/concentrator.conf"

"$root/opt/concentrator/concentrator" serve --check --config "$root/etc/concentrator/concentrator.conf"

if [ -n "$root" ]; then
  echo "installed under $root (no account, no modprobe, no systemctl)"
  exit 0
fi

getent group concentrator >/dev/null || groupadd --system concentrator
id -u concentrator >/dev/null 2>&1 || useradd --system --gid concentrator --no-create-home \
  --home-dir /var/lib/concentrator --shell /usr/sbin/nologin --comment "concentrator serial console server" concentrator
# Now as well as at boot, so the unit's DeviceAllow finds ttyUSB and ttyACM in /proc/devices on its first start.
modprobe -a usbserial cdc_acm 2>/dev/null || echo "note: could not load usbserial/cdc_acm (built in, or no modules here)"

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  echo "installed; start it with: systemctl enable --now concentrator"
else
  echo "installed; systemd is not running on this machine, so the unit is in place but not loaded"
fi
