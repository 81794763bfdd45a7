#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# tests/check-versions.sh HEADER MAP LIBRARY: the symbol versions of
# libgomem.so.  Every function HEADER (include/gomem.h) declares in a
# section headed "(since X.Y.0)" must leave LIBRARY at version
# LIBGOMEM_X.Y (so be named in that node of MAP, libgomem.map), every
# other function it declares at LIBGOMEM_1, and every name a later node of
# MAP lists must leave LIBRARY at that node.  Prints each problem and
# exits 1, or prints the count checked and exits 0.
set -eu
header=$1 map=$2 lib=$3

# "name version" for each function the header declares.
want=$(awk '
	/^\/\* ---- / {
		ver = "LIBGOMEM_1"
		if (match($0, /\(since [0-9]+\.[0-9]+\.[0-9]+\)/)) {
			split(substr($0, RSTART + 7, RLENGTH - 8), p, ".")
			ver = "LIBGOMEM_" p[1] "." p[2]
		}
	}
	/^[a-z]/ && match($0, /gomem_[a-z0-9_]+\(/) {
		print substr($0, RSTART, RLENGTH - 1), ver
	}' "$header")
# "name version" for each gomem_ symbol the library exports.
got=$(objdump -T "$lib" | awk 'NF >= 2 && $NF ~ /^gomem_/ { print $NF, $(NF - 1) }')
[ -n "$want" ] || { echo "$header: no function declarations found"; exit 1; }

problems=$(
	echo "$want" | while read -r name ver; do
		at=$(echo "$got" | awk -v n="$name" '$1 == n { print $2 }')
		if [ -z "$at" ]; then
			echo "$lib does not export $name (declared in $header)"
		elif [ "$at" != "$ver" ]; then
			echo "$lib exports $name at $at, want $ver (its section of $header; list it in $map)"
		fi
	done
	for node in $(sed -n 's/^\(LIBGOMEM_[0-9.]*\) {.*/\1/p' "$map" | tail -n +2); do
		awk -v n="$node" '$1 == n { on = 1; next } on && /^}/ { on = 0 }
			on && /^[ \t]*gomem_[a-z0-9_]*;/ { sub(/;/, ""); print $1 }' "$map" |
		while read -r name; do
			echo "$got" | grep -qx "$name $node" ||
				echo "$map lists $name in $node, but $lib does not export it there"
		done
	done
)
if [ -n "$problems" ]; then
	echo "$problems"
	exit 1
fi
echo "$(echo "$want" | wc -l) functions of $header at their versions ($(echo "$want" | awk '{ print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//'))"
