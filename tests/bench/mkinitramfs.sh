#!/bin/sh
# Builds the Linux side's initramfs for `make bench`: busybox (Debian's
# busybox-static), the few applet links /init uses, /init and /prim, in a
# gzipped newc cpio archive.
#   mkinitramfs.sh OUT.cpio.gz PRIM INIT
set -u
out=$1 prim=$2 init=$3
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkinitramfs: no static busybox at $busybox (package busybox-static)" >&2
	exit 1
fi
stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" || exit 1
cp "$busybox" "$stage/bin/busybox" || exit 1
for applet in sh mount cat grep sed poweroff; do
	ln -s busybox "$stage/bin/$applet" || exit 1
done
cp "$init" "$stage/init" && cp "$prim" "$stage/prim" || exit 1
chmod 755 "$stage/init" "$stage/prim"

# Sorted names, owned by root whoever builds it.
(cd "$stage" && find . | LC_ALL=C sort | cpio -H newc -o -R 0:0 --quiet) |
	gzip -9n > "$out.tmp" || exit 1
mv "$out.tmp" "$out"
rm -rf "$stage"
