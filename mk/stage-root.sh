#!/bin/sh
# Assembles the boot disk's files:  stage-root.sh DEST OBJ LIST...
# DEST is made afresh from the LISTs in order (mk/root.list documents
# their lines; a source starting with "obj/" is taken from the build
# folder OBJ; a later file replaces what an earlier line put there);
# `make disk` then turns it into a C-FFS image with cffs-mkfs.
set -eu
dest=$1 obj=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$dest"
mkdir -p "$dest"
for list in "$@"; do while read -r kind path a b; do
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
		rm -f "$dest$path"
		cp "$src" "$dest$path" && chmod "$a" "$dest$path" ;;
	link) ln -s "$a" "$dest$path" ;;
	applets)
		# A link to the multi-call binary at PATH for each applet it
		# lists, where it says the applet lives (bin/ls, usr/bin/awk).
		"$dest$path" --list-full | while read -r applet; do
			[ "/$applet" = "$path" ] && continue
			mkdir -p "$dest/$(dirname "$applet")"
			ln -sf "$path" "$dest/$applet"
		done ;;
	*) echo "$list: unknown kind '$kind'" >&2; exit 1 ;;
	esac
done < "$list"; done
