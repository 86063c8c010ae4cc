import type { RegistryHost } from './registry-host';

/**
 * The macOS install script of the client bundle (POSIX sh): puts ca.crt in
 * `~/.docker/certs.d/HOST:PORT/`, where Docker trusts it for that registry only. With `--system`
 * it also trusts it in the System keychain (`security add-trusted-cert`, asks for an administrator
 * password through sudo), for every program. `--no-keychain`, the opt-out of earlier bundles, is
 * accepted and is the default now.
 */
export function macosInstallScript(reg: RegistryHost): string {
  return `#!/bin/sh
# Berth client setup for the registry ${reg.authority} (macOS).
# Run as yourself (not with sudo).
#   sh install-macos.sh            trust the CA for this registry in Docker (~/.docker/certs.d)
#   sh install-macos.sh --system   also in the System keychain, for every program (asks for your password)
set -eu

REGISTRY='${reg.authority}'
KEYCHAIN=/Library/Keychains/System.keychain
USE_KEYCHAIN=no
for arg in "$@"; do
  case $arg in
    --system) USE_KEYCHAIN=yes ;;
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
else
  echo "note: the System keychain left alone (--system adds the CA to it, for every program)."
fi

echo
echo "Restart Docker Desktop so it sees the new CA, then:  docker login $REGISTRY"
`;
}

/**
 * The Windows install script of the client bundle (PowerShell, run as administrator): copies
 * ca.crt to `%ProgramData%\\docker\\certs.d\\HOSTPORT\\`, where Docker trusts it for that registry,
 * and with `-System` (or `--system`) also imports it into `Cert:\\LocalMachine\\Root`, for every
 * program. Docker on Windows drops the colon from that directory name (moby's `cleanPath`): NTFS
 * does not allow `:` in a name.
 */
export function windowsInstallScript(reg: RegistryHost): string {
  const lines = [
    `# Berth client setup for the registry ${reg.authority} (Windows).`,
    '# Run in an elevated PowerShell (Run as administrator):',
    '#   powershell -ExecutionPolicy Bypass -File .\\install-windows.ps1           trust the CA for this registry in Docker',
    '#   powershell -ExecutionPolicy Bypass -File .\\install-windows.ps1 -System   also in the Windows root store, for every program',
    '#Requires -RunAsAdministrator',
    'param([switch]$System)',
    "$ErrorActionPreference = 'Stop'",
    '',
    `$Registry = '${reg.authority}'`,
    "$Ca = Join-Path $PSScriptRoot 'ca.crt'",
    'if (-not (Test-Path -LiteralPath $Ca)) { throw "ca.crt not found next to this script ($Ca)" }',
    '',
    "# Docker Engine on Windows reads certs.d\\HOSTPORT: the colon is dropped, NTFS allows none in a name.",
    "$DockerDir = Join-Path $env:ProgramData ('docker\\certs.d\\' + ($Registry -replace '[:\\[\\]]', ''))",
    'New-Item -ItemType Directory -Force -Path $DockerDir | Out-Null',
    "Copy-Item -Force -LiteralPath $Ca -Destination (Join-Path $DockerDir 'ca.crt')",
    'Write-Host "installed  $DockerDir\\ca.crt"',
    '',
    '# Machine-wide trust (browsers, curl, Git, WSL tools that use the Windows store): only when asked.',
    "if ($System -or ($args -contains '--system')) {",
    '  $cert = Import-Certificate -FilePath $Ca -CertStoreLocation Cert:\\LocalMachine\\Root',
    '  Write-Host "trusted    $($cert.Subject) ($($cert.Thumbprint)) in Cert:\\LocalMachine\\Root"',
    '} else {',
    '  Write-Host "note: the Windows root store was left alone (-System adds the CA to it, for every program)."',
    '}',
    '',
    'Write-Host ""',
    'Write-Host "Restart Docker Desktop so it sees the new CA, then:  docker login $Registry"',
    '',
  ];
  return lines.join('\r\n');
}
