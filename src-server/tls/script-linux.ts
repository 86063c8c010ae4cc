import type { RegistryHost } from './registry-host';

/**
 * The Linux install script of the client bundle (POSIX sh). It copies the bundle's ca.crt to the
 * places the container tools look for the registry `reg` only: docker's and podman/skopeo/buildah's
 * `certs.d/HOST:PORT/` and a containerd `hosts.toml`, so the CA is trusted for that one registry.
 * The OS trust store of the distribution named in `<root>/etc/os-release` (every program on the
 * machine, for every site the CA may vouch for) only with `--system`. `--root DIR` installs under
 * DIR instead of / (and then runs no trust-store update command); the paths written into files
 * (hosts.toml's `ca`) are those of the target system, without DIR. `--no-update` skips the update
 * command. Running it again changes nothing. `reg` has been validated by parseRegistryHost, so it
 * is safe inside single quotes.
 */
export function linuxInstallScript(reg: RegistryHost): string {
  return `#!/bin/sh
# Berth client setup for the registry ${reg.authority} (Linux).
# Trusts the registry's CA (ca.crt, next to this script) for this registry in docker, containerd,
# podman, skopeo and buildah. With --system also in the operating system's trust store.
#
#   sudo sh install-linux.sh               install on this machine (needs root)
#   sudo sh install-linux.sh --system      also add the CA to the OS trust store: curl, git and
#                                          every other program then trust what it signs
#   sh install-linux.sh --root DIR         install under DIR instead of / (a test tree or an image
#                                          root); implies --no-update; paths written into files
#                                          are those of the target system (without DIR)
#   sh install-linux.sh --no-update        with --system: do not run the trust-store update command
#
# Running it again is safe: files already in place are left alone.
set -eu

REGISTRY='${reg.authority}'
TRUST_NAME='berth-${reg.slug}.crt'

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \\{0,1\\}//'
}

ROOT=/
UPDATE=yes
SYSTEM=no
while [ $# -gt 0 ]; do
  case $1 in
    --root)
      [ $# -ge 2 ] || { echo "install-linux.sh: --root needs a directory" >&2; exit 2; }
      ROOT=$2
      shift 2
      ;;
    --root=*) ROOT=\${1#--root=}; shift ;;
    --system) SYSTEM=yes; shift ;;
    --no-update) UPDATE=no; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-linux.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
CA=$HERE/ca.crt
if [ ! -f "$CA" ]; then
  echo "install-linux.sh: ca.crt not found next to this script ($CA)" >&2
  exit 1
fi

# PREFIX goes in front of every path: empty for the real root.
PREFIX=
if [ "$ROOT" != / ]; then
  mkdir -p -- "$ROOT"
  PREFIX=$(CDPATH='' cd -- "$ROOT" && pwd)
  [ "$PREFIX" = / ] && PREFIX=
fi
if [ -n "$PREFIX" ]; then
  UPDATE=no
elif [ "$(id -u)" != 0 ]; then
  echo "install-linux.sh: writing to /etc needs root: run it with sudo (or use --root DIR)" >&2
  exit 1
fi

# put_file SRC DEST: copies SRC to DEST (mode 644) unless DEST already holds the same bytes.
put_file() {
  mkdir -p -- "$(dirname -- "$2")"
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    echo "unchanged  $2"
  else
    cp -- "$1" "$2.berth-tmp"
    chmod 644 "$2.berth-tmp"
    mv -f -- "$2.berth-tmp" "$2"
    echo "installed  $2"
  fi
}

# docker (also what Docker Engine on Linux reads for every pull and push; no restart needed)
put_file "$CA" "$PREFIX/etc/docker/certs.d/$REGISTRY/ca.crt"

# podman, skopeo, buildah (containers-certs.d(5))
put_file "$CA" "$PREFIX/etc/containers/certs.d/$REGISTRY/ca.crt"

# containerd (ctr --hosts-dir, nerdctl, and CRI with config_path = "/etc/containerd/certs.d")
CTR_TARGET=/etc/containerd/certs.d/$REGISTRY
CTR_DIR=$PREFIX$CTR_TARGET
put_file "$CA" "$CTR_DIR/ca.crt"
TMP_TOML=$(mktemp)
trap 'rm -f "$TMP_TOML"' EXIT
# containerd reads the path on the system the file is installed for, so it never names the prefix.
cat > "$TMP_TOML" <<EOF
# Written by Berth's install-linux.sh: use the Berth registry $REGISTRY over TLS, trusting its CA.
server = "https://$REGISTRY"

[host."https://$REGISTRY"]
  capabilities = ["pull", "resolve", "push"]
  ca = "$CTR_TARGET/ca.crt"
EOF
if [ -f "$CTR_DIR/hosts.toml" ] && ! grep -q "Written by Berth" "$CTR_DIR/hosts.toml"; then
  cp -- "$CTR_DIR/hosts.toml" "$CTR_DIR/hosts.toml.before-berth"
  echo "saved      $CTR_DIR/hosts.toml.before-berth (your previous hosts.toml)"
fi
put_file "$TMP_TOML" "$CTR_DIR/hosts.toml"

# The operating system's trust store (curl, git, Go and most other programs), by distribution:
# only when asked, since every program on the machine then trusts what the CA signs.
if [ "$SYSTEM" = no ]; then
  echo "note: the OS trust store was left alone (--system adds the CA to it, for curl, git and other programs)."
  echo
  echo "Done. Log in with:  docker login $REGISTRY   (or podman login $REGISTRY)"
  exit 0
fi
OS_RELEASE=$PREFIX/etc/os-release
[ -f "$OS_RELEASE" ] || OS_RELEASE=$PREFIX/usr/lib/os-release
OS_ID=
OS_LIKE=
if [ -f "$OS_RELEASE" ]; then
  OS_ID=$(sed -n 's/^ID=//p' "$OS_RELEASE" | tr -d "\\"'" | head -n 1)
  OS_LIKE=$(sed -n 's/^ID_LIKE=//p' "$OS_RELEASE" | tr -d "\\"'" | head -n 1)
fi
ANCHOR_DIR=
UPDATE_CMD=
set -f
for id in $OS_ID $OS_LIKE; do
  case $id in
    debian | ubuntu) ANCHOR_DIR=/usr/local/share/ca-certificates; UPDATE_CMD=update-ca-certificates ;;
    rhel | fedora | centos | rocky | almalinux | ol | amzn) ANCHOR_DIR=/etc/pki/ca-trust/source/anchors; UPDATE_CMD=update-ca-trust ;;
    alpine) ANCHOR_DIR=/usr/local/share/ca-certificates; UPDATE_CMD=update-ca-certificates ;;
    arch | archarm | manjaro | endeavouros) ANCHOR_DIR=/etc/ca-certificates/trust-source/anchors; UPDATE_CMD='trust extract-compat' ;;
    suse | opensuse | opensuse-leap | opensuse-tumbleweed | sles) ANCHOR_DIR=/etc/pki/trust/anchors; UPDATE_CMD=update-ca-certificates ;;
    *) continue ;;
  esac
  break
done
set +f
if [ -z "$ANCHOR_DIR" ]; then
  echo "note: unknown distribution (ID=\${OS_ID:-none}); the OS trust store was left alone."
  echo "      Add $CA to it by hand if programs other than the container tools need it."
else
  put_file "$CA" "$PREFIX$ANCHOR_DIR/$TRUST_NAME"
  if [ "$UPDATE" = yes ]; then
    set -- $UPDATE_CMD
    if command -v "$1" > /dev/null 2>&1; then
      "$@"
      echo "ran        $UPDATE_CMD"
    else
      echo "warning: $1 not found: install the ca-certificates package, then run: $UPDATE_CMD" >&2
    fi
  else
    echo "skipped    $UPDATE_CMD (run it inside the target system)"
  fi
fi

echo
echo "Done. Log in with:  docker login $REGISTRY   (or podman login $REGISTRY)"
`;
}
