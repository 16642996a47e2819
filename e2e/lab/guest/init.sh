#!/bin/sh
# PID 1 of a lab guest (user-mode Linux, root = the machine's / read-only through hostfs).
# The kernel command line gives lab_dir=<per-host state dir on the machine>; host.env there says who
# this host is. Everything the guest writes lives in tmpfs or in overlays whose upper dirs are on the
# host's state disk (lab_dir/disk.img), so /etc (network config, users, sudoers) survives a reboot and
# `labReset` (a fresh disk image) wipes it.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
say() { read -r up _ < /proc/uptime; echo "bondsmith-lab: [$up] $*"; }

mount -t proc proc /proc
say "init started"
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lab/host /run/lock /run/sshd /run/network
mount -t hostfs -o "$lab_dir" hostfs /run/lab/host || { say "FATAL cannot mount $lab_dir"; exec sleep 1000000; }
. /run/lab/host/host.env
# The repository (these scripts, the TrueNAS double) is used at a path of the guest's own: a clone
# under /tmp, /root or /home would vanish under the tmpfs mounts below, and one under /root would be
# out of reach of the non-root admin.
mkdir -p /run/lab/repo
mount --bind "$LAB_REPO" /run/lab/repo || { say "FATAL cannot bind the repository $LAB_REPO"; exec sleep 1000000; }
LAB_REPO=/run/lab/repo

# Guest state that survives a reboot lives on a per-host ext4 disk image (ubd0): overlayfs cannot use
# hostfs as its upper layer (the work dir cannot be created there).
modprobe overlay
mkdir -p /run/lab/disk
# sync: a lab reboot is a kill of the UML process, so what the guest wrote must be on disk already.
mount -t ext4 -o sync,dirsync /dev/ubda /run/lab/disk || say "cannot mount the state disk"
P=/run/lab/disk
for d in etc var; do
  mkdir -p "$P/$d/upper" "$P/$d/work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$P/$d/upper,workdir=$P/$d/work" "/$d" \
    || say "overlay on /$d failed"
done
mkdir -p /run/lab/usrlocal/upper /run/lab/usrlocal/work
# /usr/local is writable (not kept) so the TrueNAS double can put midclt on PATH.
mount -t overlay overlay -o lowerdir=/usr/local,upperdir=/run/lab/usrlocal/upper,workdir=/run/lab/usrlocal/work /usr/local
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0700 tmpfs /root
mount -t tmpfs -o mode=0755 tmpfs /home

say "mounts done"
hostname "$LAB_HOST"
FIRST_BOOT=
[ -e /etc/bondsmith-lab-host ] || FIRST_BOOT=yes
if [ -n "$FIRST_BOOT" ]; then
  echo "$LAB_HOST" > /etc/hostname
  echo "${LAB_MGMT_CIDR%/*} $LAB_HOST" >> /etc/hosts
fi

# Users, written with shell builtins (each process costs ~50 ms here). TrueNAS's built-in admin is
# uid 950 and authorised by builtin_administrators (gid 544); the TrueNAS double checks that group.
if [ -n "$FIRST_BOOT" ]; then
  echo 'admin:x:950:950:Administrator:/home/admin:/bin/bash' >> /etc/passwd
  echo 'admin:*:19000:0:99999:7:::' >> /etc/shadow
  echo 'admin:x:950:' >> /etc/group
  echo 'admin:!::' >> /etc/gshadow
  echo 'builtin_administrators:x:544:admin' >> /etc/group
  echo 'builtin_administrators:!::admin' >> /etc/gshadow
fi
mkdir -p /root/.ssh /home/admin/.ssh
read -r key < /run/lab/host/authorized_keys
echo "$key" > /root/.ssh/authorized_keys
echo "$key" > /home/admin/.ssh/authorized_keys
chown -R 950:950 /home/admin
chmod 700 /home/admin /home/admin/.ssh /root/.ssh
if [ "$LAB_FLAVOR" = linux ] || [ "$LAB_FLAVOR" = networkmanager ]; then
  [ -e /etc/sudoers.d/lab-admin ] || { echo 'admin ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/lab-admin; chmod 440 /etc/sudoers.d/lab-admin; }
elif [ -e /etc/sudoers.d/lab-admin ]; then
  rm -f /etc/sudoers.d/lab-admin
fi
say "users done"
modprobe -a ipv6 veth bridge 8021q
# max_bonds=0: bonding would create an unconfigured bond0 on load; a fresh box has no bond.
modprobe bonding max_bonds=0
say "modules done"

# One `ip -batch` per namespace: every process start costs tens of milliseconds under UML.
# Management NIC: the first UML vector NIC, named like a PCI NIC. Control path: the second NIC lives
# in a namespace of its own with its own sshd, so the lab reaches the guest even when a test has broken
# the management network; the app never sees it. The switch: a namespace holding the far end of each
# port's veth; eno1+eno2 form the port-channel (po1), which is bridged with the plain ports.
ip netns add ctl
ip netns add sw
{
  echo "link set lo up"
  echo "link set vec0 name $LAB_MGMT_NIC address $LAB_MGMT_MAC"
  echo "link set vec1 address $LAB_CTL_MAC netns ctl"
  for p in 1 2 3 4; do
    echo "link add eno$p address $LAB_PORT_MAC_PREFIX:0$p type veth peer name swp$p netns sw"
  done
} | ip -batch - || say "main namespace setup failed"
{
  echo "link set lo up"
  echo "link set vec1 up"
  echo "addr add $LAB_CTL_CIDR dev vec1"
} | ip -n ctl -batch - || say "control namespace setup failed"
{
  echo "link set lo up"
  echo "link add br0 address $LAB_SWITCH_MAC type bridge stp_state 0 forward_delay 0"
  plain="swp3 swp4"
  case "$LAB_SWITCH_MODE" in
    lacp) echo "link add po1 address $LAB_SWITCH_MAC type bond mode 802.3ad lacp_rate fast miimon 100 xmit_hash_policy layer2+3" ;;
    static) echo "link add po1 address $LAB_SWITCH_MAC type bond mode balance-xor miimon 100 xmit_hash_policy layer2+3" ;;
    *) plain="swp1 swp2 swp3 swp4" ;;
  esac
  if [ "$plain" = "swp3 swp4" ]; then
    echo "link set swp1 master po1"
    echo "link set swp2 master po1"
    echo "link set po1 master br0"
    echo "link set po1 up"
  fi
  for sp in $plain; do echo "link set $sp master br0"; done
  # A cable cut before a reboot stays cut.
  for sp in swp1 swp2 swp3 swp4; do
    [ -e "/run/lab/host/cut-$sp" ] || echo "link set $sp up"
  done
  echo "link set br0 up"
  echo "addr add 192.0.2.254/24 dev br0"
  echo "addr add 2001:db8::fe/64 dev br0 nodad"
} | ip -n sw -batch - || say "switch setup failed"
{
  for p in 1 2 3 4; do echo "link set eno$p up"; done
} | ip -batch -
# The switch serves DHCP on br0 to whatever reaches it through the ports (a bond on DHCP), from the
# documentation range it sits in, and nothing else: no DNS (port 0), no router or DNS server option
# (a lease must never take the default route from the management NIC). It runs in the switch's
# namespace only, so neither the management network nor the machine ever sees it.
if command -v dnsmasq >/dev/null; then
  nsenter --net=/run/netns/sw dnsmasq --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
    --dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0,1h --dhcp-authoritative \
    --dhcp-option=option:router --dhcp-option=option:dns-server --no-resolv --no-hosts \
    --dhcp-leasefile=/run/lab/dnsmasq.leases --pid-file=/run/lab/dnsmasq.pid --user=root --group=root \
    --log-dhcp --log-facility=/run/lab/dnsmasq.log || say "dhcp server failed"
else
  say "dhcp server failed: no dnsmasq on the machine (apt-get install dnsmasq-base)"
fi
[ -n "$FIRST_BOOT" ] && echo "$LAB_HOST" > /etc/bondsmith-lab-host
say "network done"

# sshd host key comes from the lab (so the lab knows the known_hosts line without asking).
HOSTKEY=/run/lab/host/ssh_host_ed25519_key
nsenter --net=/run/netns/ctl /usr/sbin/sshd -h "$HOSTKEY" -o ListenAddress="${LAB_CTL_CIDR%/*}" \
  -o PidFile=/run/sshd-ctl.pid -o UseDNS=no -o UsePAM=no -o PermitRootLogin=prohibit-password \
  -o AuthorizedKeysFile=/run/lab/host/authorized_keys -o AllowUsers=root \
  -o ForceCommand="/bin/sh $LAB_REPO/e2e/lab/guest/control-command.sh" \
  || say "control sshd failed" &

if [ "$LAB_FLAVOR" = linux ]; then
  if [ -n "$FIRST_BOOT" ]; then
    # Hooks with no job in this guest, each costing boot time under UML: uml-utilities is the
    # machine's, and resolved talks to a systemd-resolved that does not run here (no systemd).
    rm -f /etc/network/if-pre-up.d/uml-utilities /etc/network/if-up.d/uml-utilities \
      /etc/network/if-up.d/resolved /etc/network/if-down.d/resolved
    # First boot: a Debian box whose management NIC is configured by ifupdown.
    cat > /etc/network/interfaces <<EOF
# interfaces(5) file used by ifup(8) and ifdown(8)
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

auto $LAB_MGMT_NIC
iface $LAB_MGMT_NIC inet static
    address $LAB_MGMT_CIDR
    gateway $LAB_GATEWAY
EOF
  fi
  timeout 60 ifup -a || say "ifup -a failed"
  say "ifup -a done"
elif [ "$LAB_FLAVOR" = networkmanager ]; then
  # A box whose network NetworkManager owns (RHEL, Fedora, many Ubuntu and SUSE installs): the
  # management NIC is an NM profile of its own, eno1..eno4 are managed but have no profile. The
  # control path (vec1) and the switch (swp*, br0, po1) live in namespaces NM cannot see; naming
  # them unmanaged as well keeps NM off them should one ever be visible during boot.
  if [ -n "$FIRST_BOOT" ]; then
    # The machine's Debian packages bring ifupdown's NM dispatcher hook, which a RHEL-like box has
    # not: for every "down" NM reports it runs /etc/network/if-post-down.d, and ifenslave's hook there
    # deletes a bond NM is re-activating (seen here: an edited bond lost its first port and was made
    # again with the second only). This flavor stands for a box without ifupdown.
    rm -f /etc/NetworkManager/dispatcher.d/01-ifupdown
    mkdir -p /etc/NetworkManager/conf.d /etc/NetworkManager/system-connections
    cat > /etc/NetworkManager/conf.d/00-bondsmith-lab.conf <<EOF
# Written by the Bondsmith lab at first boot.
[main]
# Profiles are keyfiles in /etc/NetworkManager/system-connections (on the state disk: they survive
# reboot); no ifupdown plugin, no "Wired connection N" DHCP profiles for ports without one.
plugins=keyfile
no-auto-default=*

[keyfile]
unmanaged-devices=interface-name:vec*;interface-name:swp*;interface-name:ctl*

[logging]
level=INFO
EOF
    umask 077
    read -r uuid < /proc/sys/kernel/random/uuid
    cat > "/etc/NetworkManager/system-connections/$LAB_MGMT_NIC.nmconnection" <<EOF
[connection]
id=$LAB_MGMT_NIC
uuid=$uuid
type=ethernet
interface-name=$LAB_MGMT_NIC
autoconnect=true

[ipv4]
method=manual
address1=$LAB_MGMT_CIDR,$LAB_GATEWAY

[ipv6]
method=ignore
EOF
    umask 022
  fi
  # No systemd in the guest: the system bus and NetworkManager are started by hand, as their units
  # would. NM's log goes to the host's state directory on the machine (<stateDir>/nasN/NetworkManager.log).
  mkdir -p /run/dbus /run/NetworkManager
  dbus-daemon --system --fork || say "dbus-daemon failed"
  # NM manages a device only once udev has seen it (it reads NM_UNMANAGED and the driver from udev's
  # database), so udevd runs too. Debian's 85-nm-unmanaged.rules leaves veth devices to containers;
  # the lab's ports are veths that stand for physical NICs, so a later rule hands them back to NM.
  if [ -n "$FIRST_BOOT" ]; then
    mkdir -p /etc/udev/rules.d
    echo 'SUBSYSTEM=="net", ENV{INTERFACE}=="eno[0-9]*", ENV{NM_UNMANAGED}="0"' > /etc/udev/rules.d/86-bondsmith-lab-ports.rules
  fi
  /lib/systemd/systemd-udevd --daemon || say "udevd failed"
  udevadm trigger --subsystem-match=net --action=add || say "udevadm trigger failed"
  udevadm settle -t 30 || say "udevadm settle failed"
  say "udev done"
  NetworkManager --debug --log-level=INFO > /run/lab/host/NetworkManager.log 2>&1 &
  # Startup complete: every profile that autoconnects has been tried (ens3 has its address).
  nm-online -s -q -t 60 || say "NetworkManager startup failed"
  say "NetworkManager up"
else
  ip link set "$LAB_MGMT_NIC" up
  ip addr add "$LAB_MGMT_CIDR" dev "$LAB_MGMT_NIC"
  ip route add default via "$LAB_GATEWAY"
fi

/usr/sbin/sshd -h "$HOSTKEY" -o UseDNS=no || say "sshd failed"
say "sshd started"

if [ "$LAB_FLAVOR" = truenas ] && [ -f "$LAB_REPO/e2e/lab/truenas/guest-boot.sh" ]; then
  mkdir -p /run/lab/disk/flavor
  TRUENAS_VERSION="$LAB_TRUENAS_VERSION" LAB_HOST="$LAB_HOST" LAB_MGMT_NIC="$LAB_MGMT_NIC" \
    LAB_MGMT_CIDR="$LAB_MGMT_CIDR" LAB_STATE=/run/lab/disk/flavor \
    timeout 60 /bin/sh "$LAB_REPO/e2e/lab/truenas/guest-boot.sh" || say "truenas guest-boot failed"
fi

# The control sshd started in the background; the lab counts on it once the host is "ready".
n=0
while [ ! -e /run/sshd-ctl.pid ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
say ready
# PID 1 must not exit; it reaps adopted children while it waits.
while :; do wait; sleep 5; done
