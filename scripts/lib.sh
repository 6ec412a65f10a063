# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the tdi scripts: where the kernel source and the
# cached test kernels live.  Sourced, not run.

TDI_CACHE=${TDI_CACHE:-/var/cache/tdi}
TDI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TDI_SRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
# The guests' QEMU CPU (scripts/vm-run says why each option is there;
# scripts/boot-test uses it as its default)
TDI_QEMU_CPU=${TDI_QEMU_CPU:-max,la57=off,tsc-deadline=off}

tdi_die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# The Debian package version of linux-source-6.1, e.g. 6.1.192-2.
tdi_src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
		tdi_die "linux-source-6.1 is not installed (run scripts/deps)"
}

# Extract the kernel source once per package version; print its path.
tdi_ksrc() {
	local ver dir
	ver=$(tdi_src_version) || exit 1
	dir=$TDI_CACHE/src/linux-source-6.1_$ver
	if [ ! -f "$dir/.extracted" ]; then
		mkdir -p "$TDI_CACHE/src"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xJf "$TDI_SRC_TARBALL" -C "$dir.tmp" ||
			tdi_die "cannot extract $TDI_SRC_TARBALL"
		mv "$dir.tmp/linux-source-6.1" "$dir"
		rmdir "$dir.tmp"
		touch "$dir/.extracted"
	fi
	echo "$dir"
}

# The cache directory of a test kernel flavour: keyed by the flavour's
# config fragment, the source version and the build script itself.
tdi_kdir() {
	local flavour=$1 frag key
	frag=$TDI_TOP/scripts/kconfig/$flavour.config
	[ -f "$frag" ] || tdi_die "unknown kernel flavour '$flavour' (no $frag)"
	key=$( { cat "$frag" "$TDI_TOP/scripts/build-kernel"; tdi_src_version; } |
		sha256sum | cut -c1-16)
	echo "$TDI_CACHE/kernel/$flavour-$key"
}
