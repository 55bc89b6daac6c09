#!/bin/sh
# Builds the Linux side's initramfs for `make bench`: busybox (Debian's
# busybox-static), the few applet links /init uses, /init, /prim,
# /bin/true, and the kernel modules the file rows need to reach an ext2
# disk on virtio-blk (Debian builds them as modules), in a gzipped newc
# cpio archive.
#   mkinitramfs.sh OUT.cpio.gz PRIM TRUE INIT
# The modules are those of the kernel qemu-linux.sh boots; /init loads
# the ones listed in /lib/modules/load, in that order.
set -u
out=$1 prim=$2 true=$3 init=$4
here=$(dirname "$0")
busybox=${BUSYBOX:-/bin/busybox}
# virtio_pci finds the device, virtio_blk makes it /dev/vda, ext4 mounts
# ext2 (Debian has no ext2 driver of its own: CONFIG_EXT4_USE_FOR_EXT2),
# and 6.1's ext4 will not mount without a crc32c hash, even for ext2; the
# generic one, as qemu64 has no SSE4.2 for crc32c-intel.
wanted="virtio_pci virtio_blk crc32c_generic ext4"

if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkinitramfs: no static busybox at $busybox (package busybox-static)" >&2
	exit 1
fi
kernel=$(sh "$here/qemu-linux.sh" --kernel) || exit 1
version=${kernel##*/vmlinuz-}
moddir=${BENCH_LINUX_MODULES:-/lib/modules/$version}
if [ ! -r "$moddir/modules.dep" ]; then
	echo "mkinitramfs: no $moddir/modules.dep for $kernel" >&2
	exit 1
fi

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" \
	"$stage/mnt" "$stage/lib/modules" || exit 1
cp "$busybox" "$stage/bin/busybox" || exit 1
for applet in sh mount umount cat grep sed insmod sleep poweroff; do
	ln -s busybox "$stage/bin/$applet" || exit 1
done
cp "$init" "$stage/init" && cp "$prim" "$stage/prim" &&
	cp "$true" "$stage/bin/true" || exit 1
chmod 755 "$stage/init" "$stage/prim" "$stage/bin/true"

# The modules in load order: each one's dependencies (modules.dep lists
# them all, transitively) before it, each once; a module built into the
# kernel (modules.builtin) needs nothing. Paths are relative to moddir.
modules=$(awk -v wanted="$wanted" '
	# Adds p after its dependencies, unless already there.
	function visit(p,	n, d, i) {
		if (p in done)
			return
		done[p] = 1
		n = split(deps[p], d, " ")
		for (i = 1; i <= n; i++)
			visit(d[i])
		print p
	}
	FILENAME ~ /modules\.builtin$/ {
		name = $1
		sub(/.*\//, "", name)
		sub(/\.ko.*/, "", name)
		builtin[name] = 1
		next
	}
	{
		p = $1
		sub(/:$/, "", p)
		name = p
		sub(/.*\//, "", name)
		sub(/\.ko.*/, "", name)
		path[name] = p
		$1 = ""
		deps[p] = $0
	}
	END {
		n = split(wanted, w, " ")
		for (i = 1; i <= n; i++) {
			if (w[i] in builtin)
				continue
			if (!(w[i] in path)) {
				print "mkinitramfs: no module " w[i] > "/dev/stderr"
				exit 1
			}
			visit(path[w[i]])
		}
	}' "$moddir/modules.builtin" "$moddir/modules.dep") || exit 1

# Flat, uncompressed copies: busybox insmod then needs no decompressor.
: > "$stage/lib/modules/load"
for m in $modules; do
	name=${m##*/}
	case $name in
	*.ko)		cp "$moddir/$m" "$stage/lib/modules/$name" ;;
	*.ko.xz)	name=${name%.xz}; xz -dc "$moddir/$m" > "$stage/lib/modules/$name" ;;
	*.ko.zst)	name=${name%.zst}; zstd -qdc "$moddir/$m" > "$stage/lib/modules/$name" ;;
	*.ko.gz)	name=${name%.gz}; gzip -dc "$moddir/$m" > "$stage/lib/modules/$name" ;;
	*)		false ;;
	esac || { echo "mkinitramfs: cannot copy $moddir/$m" >&2; exit 1; }
	echo "$name" >> "$stage/lib/modules/load"
done

# Sorted names, owned by root whoever builds it.
(cd "$stage" && find . | LC_ALL=C sort | cpio -H newc -o -R 0:0 --quiet) |
	gzip -9n > "$out.tmp" || exit 1
mv "$out.tmp" "$out"
rm -rf "$stage"
