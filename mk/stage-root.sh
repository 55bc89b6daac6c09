#!/bin/sh
# Assembles the boot disk's files:  stage-root.sh LIST DEST OBJ
# DEST is made afresh from LIST (mk/root.list documents its lines; a
# source starting with "obj/" is taken from the build folder OBJ);
# `make disk` then turns it into a C-FFS image with cffs-mkfs.
set -eu
list=$1 dest=$2 obj=${3:-obj}
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
		case $b in
		/*) src=$b ;;
		obj/*) src=$obj/${b#obj/} ;;
		*) src=$top/$b ;;
		esac
		cp "$src" "$dest$path" && chmod "$a" "$dest$path" ;;
	link) ln -s "$a" "$dest$path" ;;
	applets)
		# A link to the multi-call binary at PATH for each applet it
		# lists, where it says the applet lives (bin/ls, usr/bin/awk).
		"$path" --list-full | while read -r applet; do
			[ "/$applet" = "$path" ] && continue
			mkdir -p "$dest/$(dirname "$applet")"
			ln -sf "$path" "$dest/$applet"
		done ;;
	*) echo "$list: unknown kind '$kind'" >&2; exit 1 ;;
	esac
done < "$list"
