#!/usr/bin/env bash
# Installs the Debian packages Detector needs at run time, when they are missing.
# Usage: scripts/setup.sh [extra packages...]
# As root it runs apt-get; otherwise it prints exactly what to install and fails.
# Packages of Debian's non-free component (NVIDIA's NVRTC, which the tests use to compile the CUDA kernels on a
# machine without a GPU) get that component added to apt's sources first, for this Debian release only.
set -euo pipefail

packages=(libopenblas0-pthread "$@")
non_free=(libnvrtc11.2 libnvrtc-builtins11.8)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

needs_non_free=false
for p in "${missing[@]}"; do
  for n in "${non_free[@]}"; do
    [ "$p" = "$n" ] && needs_non_free=true
  done
done

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  if $needs_non_free && ! grep -rqsE '(^|[[:space:]])non-free([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}")
    echo "setup: adding Debian's non-free component ($codename) for ${non_free[*]}" >&2
    cat > /etc/apt/sources.list.d/detector-non-free.sources <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  fi
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  $needs_non_free && echo "setup: ${non_free[*]} come from Debian's non-free component: add it to apt's sources" >&2
  echo "setup: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
