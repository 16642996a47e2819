// The one remote command discovery runs per refresh. It is a constant: nothing a user types, and
// nothing learned from a host, is ever spliced into it.
//
// Why it looks the way it does:
// - It runs as `sh -c '<script>'` from whatever login shell the account has (bash, zsh on TrueNAS,
//   dash, even fish). So the text holds no single quote, no backslash and no "!": inside single
//   quotes every one of those shells then passes it through untouched. Newlines in printf formats
//   come from $NL for the same reason.
// - Process creation is the cost that matters (about 20 ms each on the UML lab kernel, 0.3 s or more
//   per midclt run on TrueNAS), so files are read with the shell's own `read`, not `cat`, and the
//   kernel release and host name come from /proc/sys/kernel instead of `uname -r` and `hostname`.
//   `ip -j -d addr show` prints the link details too, so one `ip` run replaces `ip -d link` + `ip addr`.
// - Every section is framed by marker lines carrying the shell's PID, and ends with its exit status,
//   so one failing piece (no midclt rights, no `ip -j` on an old iproute2) never hides the others,
//   and output cut short is recognisable (no DONE line).
// - Every command reads /dev/null, so nothing can swallow input meant for the session.
// - midclt prints booleans as True/False, numbers raw and everything else as one-line JSON
//   (reference/truenas-middleware.md §6); `-t` bounds each call because a stuck middlewared would
//   otherwise hold the refresh for 60 s per call. checkin_waiting is only asked while changes are pending.
// - The `stack` section says which network stack is in charge (netplan, NetworkManager, networkd,
//   ifupdown) and whether the kernel can build bonds at all (bonding loaded, built in, loadable or
//   missing), so a host is changed only through the driver of the stack that really manages it.
//   Left-over directories prove nothing (an image may ship /run/systemd/netif): a daemon counts only
//   when it answers (nmcli, systemctl), and those run only where its traces are. On ifupdown it lists
//   the interfaces configured for DHCP (`iface X inet dhcp`): the kernel shows only the lease.
// - Non-root admins can read everything here except the LACP details the kernel hides in
//   /proc/net/bonding; the `meta` section reports the effective UID so the UI can say why.

export const DISCOVERY_MARKER = '#BONDSMITH';

export const DISCOVERY_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin:/usr/local/sbin:/usr/local/bin"
LC_ALL=C
export PATH LC_ALL
NL="
"
M="${DISCOVERY_MARKER} $$"
begin() { printf "%s BEGIN %s$NL" "$M" "$1"; }
end() { printf "$NL%s END %s rc=%s$NL" "$M" "$1" "$2"; }
emit_file() {
  [ -r "$1" ] || return 1
  while IFS= read -r l || [ -n "$l" ]; do printf "%s$NL" "$l"; done < "$1"
}
first_line() {
  v=
  read -r v 2>/dev/null < "$1" || [ -n "$v" ] || return 1
  printf "%s=%s$NL" "$2" "$v"
}
begin meta
printf "ssh_connection=%s$NL" "$SSH_CONNECTION"
first_line /proc/sys/kernel/osrelease kernel || printf "kernel=%s$NL" "$(uname -r 2>/dev/null)"
first_line /proc/sys/kernel/hostname hostname || printf "hostname=%s$NL" "$(hostname 2>/dev/null)"
while read -r k r e rest; do
  if [ "$k" = "Uid:" ]; then printf "uid=%s$NL" "$e"; fi
done < /proc/self/status
MC=
if command -v midclt >/dev/null 2>&1; then MC=yes; fi
printf "midclt=%s$NL" "$MC"
end meta 0
begin os-release
emit_file /etc/os-release || emit_file /usr/lib/os-release
end os-release $?
begin etc-version
emit_file /etc/version
end etc-version $?
begin ip-addr
ip -j -d addr show </dev/null 2>&1
end ip-addr $?
begin route4
ip -j route show default </dev/null 2>&1
end route4 $?
begin route6
ip -j -6 route show default </dev/null 2>&1
end route6 $?
begin sysfs-net
for d in /sys/class/net/*; do
  [ -d "$d" ] || continue
  n=\${d##*/}
  v=
  if read -r v 2>/dev/null < "$d/speed"; then printf "%s speed %s$NL" "$n" "$v"; fi
  if [ -e "$d/device" ]; then printf "%s device 1$NL" "$n"; fi
  if [ -d "$d/bonding" ]; then
    for p in mode miimon updelay downdelay xmit_hash_policy lacp_rate primary active_slave slaves ad_select min_links arp_interval arp_ip_target lacp_active; do
      v=
      if [ -r "$d/bonding/$p" ]; then read -r v 2>/dev/null < "$d/bonding/$p"; printf "%s bond.%s %s$NL" "$n" "$p" "$v"; fi
    done
  fi
done
end sysfs-net 0
for f in /proc/net/bonding/*; do
  [ -r "$f" ] || continue
  begin "proc-bonding \${f##*/}"
  emit_file "$f"
  end "proc-bonding \${f##*/}" $?
done
if [ -n "$MC" ]; then
  begin mw-version
  midclt -t 20 call system.version_short </dev/null 2>&1
  end mw-version $?
  begin mw-query
  midclt -t 30 call interface.query </dev/null 2>&1
  end mw-query $?
  # The DNS servers in use: a first configuration of a DHCP-installed box can drop them (§5.8).
  begin mw-resolv
  emit_file /etc/resolv.conf
  end mw-resolv $?
  begin mw-pending
  P=$(midclt -t 20 call interface.has_pending_changes </dev/null 2>&1)
  rc=$?
  printf "%s$NL" "$P"
  end mw-pending $rc
  case "$P" in
    False) ;;
    *)
      begin mw-checkin
      midclt -t 20 call interface.checkin_waiting </dev/null 2>&1
      end mw-checkin $?
      ;;
  esac
fi
begin stack
K=
read -r K 2>/dev/null < /proc/sys/kernel/osrelease
B=missing
for f in /lib/modules/$K/kernel/drivers/net/bonding/bonding.ko*; do
  if [ -e "$f" ]; then B=loadable; fi
done
if [ -r /lib/modules/$K/modules.builtin ]; then
  while IFS= read -r l; do
    case "$l" in */bonding.ko) B=builtin ;; esac
  done < /lib/modules/$K/modules.builtin
fi
if [ -e /sys/class/net/bonding_masters ] || [ -d /sys/module/bonding ]; then B=loaded; fi
printf "bonding=%s$NL" "$B"
for f in /etc/netplan/*.yaml /lib/netplan/*.yaml /run/netplan/*.yaml; do
  [ -r "$f" ] || continue
  printf "netplan-file=%s$NL" "$f"
  while IFS= read -r l; do
    case "$l" in *renderer:*) printf "netplan-renderer=%s$NL" "\${l##*renderer:}" ;; esac
  done < "$f"
done
if [ -d /run/NetworkManager ] && command -v nmcli >/dev/null 2>&1; then
  printf "nm-general=%s$NL" "$(nmcli -t -f RUNNING,VERSION general </dev/null 2>/dev/null)"
  nmcli -t -f DEVICE,STATE device </dev/null 2>/dev/null | while IFS= read -r l; do printf "nm-device=%s$NL" "$l"; done
  if [ -e /etc/NetworkManager/dispatcher.d/01-ifupdown ] && [ -e /etc/network/if-post-down.d/ifenslave ]; then printf "nm-ifupdown-hooks=yes$NL"; fi
  if command -v busctl >/dev/null 2>&1; then
    printf "nm-checkpoints=%s$NL" "$(busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints </dev/null 2>/dev/null)"
  fi
fi
if [ -d /run/systemd/system ] && [ -d /run/systemd/netif ] && command -v systemctl >/dev/null 2>&1; then
  case "$(systemctl is-active systemd-networkd </dev/null 2>/dev/null)" in active) printf "networkd=running$NL" ;; esac
fi
if [ -r /etc/network/interfaces ]; then
  printf "ifupdown-config=yes$NL"
  for f in /etc/network/interfaces /etc/network/interfaces.d/*; do
    [ -f "$f" ] && [ -r "$f" ] || continue
    while read -r a b c d rest; do
      if [ "$a" = iface ] && [ "$c" = inet ] && [ "$d" = dhcp ]; then printf "ifupdown-dhcp=%s$NL" "$b"; fi
    done < "$f"
  done
fi
if command -v ifup >/dev/null 2>&1; then printf "ifupdown-tool=yes$NL"; fi
end stack 0
for d in /run/bondsmith/*; do
  [ -e "$d/armed" ] || continue
  begin bondsmith-runs
  printf "now %s$NL" "$(date +%s)"
  for r in /run/bondsmith/*; do
    [ -e "$r/armed" ] || continue
    t=/var/lib/bondsmith/rollback/\${r##*/}/timer.sh
    w=
    if [ -r "$t" ]; then while read -r a b rest; do if [ "$a" = sleep ]; then w=$b; fi; done < "$t"; fi
    printf "run %s %s %s$NL" "\${r##*/}" "$(date -r "$r/armed" +%s 2>/dev/null)" "$w"
  done
  end bondsmith-runs 0
  break
done
printf "%s DONE$NL" "$M"
`;

/**
 * The exec command line for an SSH client that sends it to the login shell as it is (ssh, Ansible's
 * shell module; the benchmarks use it): the script as one single-quoted argument of `sh -c`. Safe
 * because DISCOVERY_SCRIPT contains no single quote (checked by its unit test). Bondsmith's own
 * connections run every command with `sh -c` already, so discovery sends DISCOVERY_SCRIPT itself.
 */
export const DISCOVERY_COMMAND = `sh -c '${DISCOVERY_SCRIPT}'`;
