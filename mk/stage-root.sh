#!/bin/sh
# Assembles the boot disk's files:  stage-root.sh LIST DEST
# DEST is made afresh from LIST (mk/root.list documents its lines);
# `make disk` then turns it into a C-FFS image with cffs-mkfs.
set -eu
list=$1 dest=$2
top=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$dest"
mkdir -p "$dest"
while read -r kind path a b; do
	case $kind in
	'' | '#'*) continue ;;
	esac
	case $path in
	/*) ;;
	*) echo "$list: '$path' is not an absolute path" >&2; exit 1 ;;
	esac
	case $kind in
	dir) mkdir -p "$dest$path" && chmod "$a" "$dest$path" ;;
	file)
		case $b in /*) src=$b ;; *) src=$top/$b ;; esac
		cp "$src" "$dest$path" && chmod "$a" "$dest$path" ;;
	link) ln -s "$a" "$dest$path" ;;
	*) echo "$list: unknown kind '$kind'" >&2; exit 1 ;;
	esac
done < "$list"
