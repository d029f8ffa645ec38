#!/bin/sh
# check-layers.sh - the preload's folders are layers: a file may include
# headers of its own folder and of the folders below it, never above; no
# file outside interpose/ includes interpose/ (the hooks are the top); and
# no two modules include each other, directly or through others.
#
#   base < track < dump < scan < life < interpose    (dumpfmt.h: anyone; libleak.h, the API: interpose)
#
# A module is a folder/name pair: name.c and name.h together (and a private
# name_priv.h, which the module's own helpers share). Prints one
# line per violation and exits 1, or prints "check-layers: ok" and exits 0.
# Usage: scripts/check-layers.sh [PRELOAD_DIR]   (default: preload)
set -u

dir=${1:-preload}
layers="base track dump scan life interpose"
rank() {
	i=0
	for l in $layers; do
		[ "$l" = "$1" ] && { echo "$i"; return; }
		i=$((i + 1))
	done
	echo 99
}

bad=0
edges=$(mktemp) || exit 2
trap 'rm -f "$edges"' EXIT
for f in "$dir"/*/*.c "$dir"/*/*.h; do
	[ -e "$f" ] || continue
	folder=$(basename "$(dirname "$f")")
	mod=$folder/$(basename "$f" | sed 's/\.[ch]$//; s/_priv$//')
	r=$(rank "$folder")
	if [ "$r" -eq 99 ]; then
		echo "check-layers: $f: folder '$folder' is no layer ($layers)"
		bad=1
		continue
	fi
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case "$inc" in
		dumpfmt.h) continue ;;
		libleak.h)
			[ "$folder" = interpose ] && continue
			echo "check-layers: $f: includes libleak.h: only interpose/ may"; bad=1; continue ;;
		*/*) ;;
		*) echo "check-layers: $f: includes \"$inc\" without its folder"; bad=1; continue ;;
		esac
		to=$(dirname "$inc")
		tr=$(rank "$to")
		if [ "$to" = interpose ] && [ "$folder" != interpose ]; then
			echo "check-layers: $f: includes $inc: nothing outside interpose/ may"
			bad=1
		elif [ "$tr" -gt "$r" ]; then
			echo "check-layers: $f: includes $inc, of $to/, above $folder/"
			bad=1
		fi
		tmod=$(echo "$inc" | sed 's/\.h$//; s/_priv$//')
		[ "$tmod" != "$mod" ] && echo "$mod $tmod" >>"$edges"
	done
done
# tsort prints the modules of a cycle on stderr when there is one.
cycle=$(sort -u "$edges" | tsort 2>&1 >/dev/null)
if [ -n "$cycle" ]; then
	echo "check-layers: include cycle: $(echo "$cycle" | grep -v 'input contains a loop' |
		sed 's/^tsort: //' | tr '\n' ' ')"
	bad=1
fi
[ "$bad" -eq 0 ] && echo "check-layers: ok"
exit "$bad"
