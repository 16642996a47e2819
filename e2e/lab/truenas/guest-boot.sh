#!/bin/sh
# Turns a lab guest into a TrueNAS-flavored host: a test double of TrueNAS's middleware (see README.md).
# Run by the lab's init after the common boot, with TRUENAS_VERSION (empty = 25.04), LAB_HOST,
# LAB_MGMT_NIC, LAB_MGMT_CIDR and LAB_STATE (a per-host directory that survives a guest reboot).
# It must not hold boot up for long: it waits only until the middleware answers (about a second).
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3

case "${TRUENAS_VERSION:-25.04}" in
  22.12) VERSION=22.12.4.2 ;;
  23.10) VERSION=23.10.2 ;;
  24.04) VERSION=24.04.2.5 ;;
  24.10) VERSION=24.10.2.4 ;;
  25.04) VERSION=25.04.2.6 ;;
  25.10) VERSION=25.10.6 ;;
  *) VERSION=$TRUENAS_VERSION ;;
esac

# /etc/version holds the bare version string on TrueNAS SCALE; clients read it to tell it is TrueNAS.
printf '%s' "$VERSION" > /etc/version || echo "truenas-double: cannot write /etc/version" >&2

# midclt lives in /usr/bin on a real box; fall back to /usr/local/bin if /usr/bin is not writable here.
for dir in /usr/bin /usr/local/bin; do
  if ln -sf "$HERE/bin/midclt" "$dir/midclt" 2>/dev/null; then break; fi
done
command -v midclt >/dev/null 2>&1 || echo "truenas-double: midclt is not on PATH" >&2

STATE="$LAB_STATE/truenas"
mkdir -p "$STATE" /var/run/middleware
# The args live in a file so restart-middlewared can start the daemon again the same way.
cat > /var/run/middleware/middlewared.args <<ARGS
$HERE/bin/middlewared
--db
$STATE/freenas-v1.db
--release
$VERSION
--hostname
${LAB_HOST:-truenas}
--pidfile
/var/run/middleware/middlewared.pid
--log
$STATE/middlewared.log
ARGS
if [ -n "$LAB_MGMT_CIDR" ]; then
  printf '%s\n%s=%s\n' --seed-if-new "${LAB_MGMT_NIC:-ens3}" "$LAB_MGMT_CIDR" >> /var/run/middleware/middlewared.args
fi

# --boot-sync is ix-netif.service's `midclt call interface.sync true`: pending DB edits take effect at boot.
"$HERE/bin/restart-middlewared" --boot-sync
