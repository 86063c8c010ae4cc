import type { RegistryHost } from './registry-host';

/**
 * The macOS install script of the client bundle (POSIX sh): trusts ca.crt in the System keychain
 * (`security add-trusted-cert`, asks for an administrator password through sudo) and puts it in
 * `~/.docker/certs.d/HOST:PORT/` for Docker. `--no-keychain` does only the Docker part.
 */
export function macosInstallScript(reg: RegistryHost): string {
  return `#!/bin/sh
# Berth client setup for the registry ${reg.authority} (macOS).
# Run as yourself (not with sudo); it asks for your password for the System keychain.
#   sh install-macos.sh                 trust the CA system-wide and for Docker
#   sh install-macos.sh --no-keychain   only ~/.docker/certs.d (no administrator rights needed)
set -eu

REGISTRY='${reg.authority}'
KEYCHAIN=/Library/Keychains/System.keychain
USE_KEYCHAIN=yes
for arg in "$@"; do
  case $arg in
    --no-keychain) USE_KEYCHAIN=no ;;
    -h | --help) sed -n '2,5p' "$0" | sed 's/^# \\{0,1\\}//'; exit 0 ;;
    *) echo "install-macos.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
CA=$HERE/ca.crt
[ -f "$CA" ] || { echo "install-macos.sh: ca.crt not found next to this script ($CA)" >&2; exit 1; }

DOCKER_DIR=$HOME/.docker/certs.d/$REGISTRY
mkdir -p -- "$DOCKER_DIR"
if [ -f "$DOCKER_DIR/ca.crt" ] && cmp -s "$CA" "$DOCKER_DIR/ca.crt"; then
  echo "unchanged  $DOCKER_DIR/ca.crt"
else
  cp -- "$CA" "$DOCKER_DIR/ca.crt"
  echo "installed  $DOCKER_DIR/ca.crt"
fi

if [ "$USE_KEYCHAIN" = yes ]; then
  SUDO=sudo
  [ "$(id -u)" = 0 ] && SUDO=
  # Adding the same certificate again only refreshes its trust setting.
  $SUDO security add-trusted-cert -d -r trustRoot -k "$KEYCHAIN" "$CA"
  echo "trusted    ca.crt in $KEYCHAIN (as a root for SSL)"
fi

echo
echo "Restart Docker Desktop so it sees the new CA, then:  docker login $REGISTRY"
`;
}

/**
 * The Windows install script of the client bundle (PowerShell, run as administrator): imports
 * ca.crt into `Cert:\\LocalMachine\\Root` and copies it to `%ProgramData%\\docker\\certs.d\\HOSTPORT\\`.
 * Docker on Windows drops the colon from that directory name (moby's `cleanPath`): NTFS does
 * not allow `:` in a name.
 */
export function windowsInstallScript(reg: RegistryHost): string {
  const lines = [
    `# Berth client setup for the registry ${reg.authority} (Windows).`,
    '# Run in an elevated PowerShell (Run as administrator):',
    '#   powershell -ExecutionPolicy Bypass -File .\\install-windows.ps1',
    '#Requires -RunAsAdministrator',
    "$ErrorActionPreference = 'Stop'",
    '',
    `$Registry = '${reg.authority}'`,
    "$Ca = Join-Path $PSScriptRoot 'ca.crt'",
    'if (-not (Test-Path -LiteralPath $Ca)) { throw "ca.crt not found next to this script ($Ca)" }',
    '',
    '# Machine-wide trust: browsers, curl, Git, Docker Desktop and WSL tools that use the Windows store.',
    '$cert = Import-Certificate -FilePath $Ca -CertStoreLocation Cert:\\LocalMachine\\Root',
    'Write-Host "trusted    $($cert.Subject) ($($cert.Thumbprint)) in Cert:\\LocalMachine\\Root"',
    '',
    "# Docker Engine on Windows reads certs.d\\HOSTPORT: the colon is dropped, NTFS allows none in a name.",
    "$DockerDir = Join-Path $env:ProgramData ('docker\\certs.d\\' + ($Registry -replace '[:\\[\\]]', ''))",
    'New-Item -ItemType Directory -Force -Path $DockerDir | Out-Null',
    "Copy-Item -Force -LiteralPath $Ca -Destination (Join-Path $DockerDir 'ca.crt')",
    'Write-Host "installed  $DockerDir\\ca.crt"',
    '',
    'Write-Host ""',
    'Write-Host "Restart Docker Desktop so it sees the new CA, then:  docker login $Registry"',
    '',
  ];
  return lines.join('\r\n');
}
