# SPDX-License-Identifier: GPL-2.0
# Shared settings for the guest scripts in tools/vm/.  Sourced, not run.

RCUMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RCUMAP_VM="$RCUMAP_TOP/tools/vm"
RCUMAP_CACHE=${RCUMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rcumap}
RCUMAP_SRC_TARBALL=${RCUMAP_SRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}

msg() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# Version of the Debian package the kernel source comes from.
src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
		stat -c %s "$RCUMAP_SRC_TARBALL"
}

# Cache key of a guest kernel variant: the source version and every
# fragment that goes into it.  Change a fragment and the kernel rebuilds.
kernel_key() {
	local variant=$1
	{
		src_version
		echo
		cat "$RCUMAP_VM/config/base.config" \
		    "$RCUMAP_VM/config/$variant.config"
	} | sha256sum | cut -c1-16
}

kernel_dir() { echo "$RCUMAP_CACHE/kernel/$1-$(kernel_key "$1")"; }

# The unpacked source tree (shared by every variant; builds use O=).
source_dir() { echo "$RCUMAP_CACHE/src/linux-$(src_version)"; }
