#!/usr/bin/env bash
# Installs what the tests need (Debian packages, JDK 25 selection) and runs the whole test suite.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
pkgs=(binutils make gcc gdb qemu-system-x86 seabios libcapstone4 linux-headers-amd64 e2fsprogs)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: warning: missing packages ${missing[*]} (not root; the tests needing them will be skipped)" >&2
  fi
fi
# A real Linux kernel image for the loader test: Debian's linux-image-amd64, downloaded once and unpacked
# into a cache (not installed: no initramfs to build). Best effort; without it that one test is skipped.
export VMSCOPE_VMLINUZ_DIR="${VMSCOPE_VMLINUZ_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}"
if ! ls "$VMSCOPE_VMLINUZ_DIR"/vmlinuz-* /boot/vmlinuz-* >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}') \
        && [ -n "$pkg" ] && apt-get download -qq "$pkg" >/dev/null 2>&1 \
        && dpkg-deb --fsys-tarfile ./*.deb | tar -x --wildcards './boot/vmlinuz-*') \
      && mkdir -p "$VMSCOPE_VMLINUZ_DIR" && mv "$tmp"/boot/vmlinuz-* "$VMSCOPE_VMLINUZ_DIR"/; then
    echo "test.sh: fetched $(ls "$VMSCOPE_VMLINUZ_DIR") for the real-kernel loader test" >&2
  else
    echo "test.sh: warning: could not fetch Debian's kernel image; the real-kernel loader test will be skipped" >&2
  fi
  rm -rf "$tmp"
fi
# Debian's GRUB for the SeaBIOS -> GRUB -> Linux chain test: grub-pc-bin (boot.img, modules) and grub-common
# (grub-mkimage), downloaded once and unpacked into the cache, not installed. Best effort, as above.
export VMSCOPE_CACHE_DIR="${VMSCOPE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}"
if ! [ -x /usr/bin/grub-mkimage -a -r /usr/lib/grub/i386-pc/boot.img ] && ! [ -x "$VMSCOPE_CACHE_DIR/grub/usr/bin/grub-mkimage" ]; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq grub-pc-bin grub-common >/dev/null 2>&1 \
        && for d in ./*.deb; do dpkg-deb -x "$d" root; done) \
      && mkdir -p "$VMSCOPE_CACHE_DIR" && rm -rf "$VMSCOPE_CACHE_DIR/grub" && mv "$tmp/root" "$VMSCOPE_CACHE_DIR/grub"; then
    echo "test.sh: unpacked GRUB into $VMSCOPE_CACHE_DIR/grub for the boot-chain test" >&2
  else
    echo "test.sh: warning: could not fetch Debian's GRUB; the boot-chain test will be skipped" >&2
  fi
  rm -rf "$tmp"
fi
# Select JDK 25 exactly as the launcher does.
export JAVA_HOME=$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" ./vmscope); find_jdk')
[ -n "$JAVA_HOME" ] || { echo "test.sh: error: no JDK 25 found" >&2; exit 2; }
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
exec mvn -B -ntp verify "$@"
