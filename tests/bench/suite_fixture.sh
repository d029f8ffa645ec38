#!/bin/bash
# suite_fixture.sh DIR LIBLEAK [PROGRAMS [RUNS]] - the dumps of a test suite,
# made the way a suite makes them: a shared library under test
# (libsuite.so, 200 functions that recurse into each other, -O1 -g) and
# PROGRAMS (20) test programs linked with it (-O0 -g, each with its own
# functions and debug info), each run RUNS (50) times under LIBLEAK. Every
# run leaks from about 30 stacks of 2 to 14 library frames, keeps some
# blocks reachable, and has libc allocate for it (strdup, fopen, getline,
# a thread). The dumps go to DIR/dumps. Used by scripts/bench (workload
# "suite": leakreport on every dump).
set -eu
dir=$1 lib=$2 nprog=${3:-20} runs=${4:-50}
CC=${CC:-gcc}
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/bin" "$dir/dumps"
awk 'BEGIN {
	print "#include <stdlib.h>\n#include <string.h>"
	for (i = 0; i < 200; i++)
		printf "void *suite_f%d(int n, int d);\n", i
	for (i = 0; i < 200; i++)
		printf "__attribute__((noinline)) void *suite_f%d(int n, int d) { if (d > 0) " \
		    "return suite_f%d(n + 1, d - 1); void *q = malloc(n + %d); if (q) " \
		    "memset(q, 0, n); return q; }\n", i, (i * 7 + 1) % 200, i
	print "void *suite_api(int which, int n, int depth) { switch (which % 200) {"
	for (i = 0; i < 200; i++)
		printf "case %d: return suite_f%d(n, depth);\n", i, i
	print "} return 0; }"
}' >"$dir/src/libsuite.c"
$CC -O1 -g -fPIC -shared -o "$dir/bin/libsuite.so" "$dir/src/libsuite.c"
for p in $(seq 0 $((nprog - 1))); do
	awk -v p="$p" 'BEGIN {
		print "#include <pthread.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>"
		print "void *suite_api(int which, int n, int depth);"
		print "void *volatile keep[256];"
		for (i = 0; i < 30; i++)
			printf "__attribute__((noinline)) void t%d_case%d(int k) { for (int j = 0; " \
			    "j < k; j++) { void *q = suite_api(%d + j, 8 + j, %d); if (j %% 4 == 0) " \
			    "free(q); else if (j %% 4 == 1) keep[(j * 7 + %d) %% 256] = q; } }\n",
			    p, i, p * 13 + i * 5, (i % 12) + 2, i
		print "static void *thr(void *a) { (void)a; t" p "_case0(3); return 0; }"
		print "int main(int argc, char **argv) { (void)argv; pthread_t th; char *line = 0;"
		print "\tsize_t cap = 0; FILE *f;"
		for (i = 0; i < 30; i++)
			printf "\tt%d_case%d(argc + %d);\n", p, i, i % 5
		print "\tkeep[255] = strdup(\"leak\");"
		print "\tf = fopen(\"/proc/self/stat\", \"r\"); if (f && getline(&line, &cap, f) < 0) return 1;"
		print "\tif (pthread_create(&th, 0, thr, 0) == 0) pthread_join(th, 0);"
		print "\treturn 0;\n}"
	}' >"$dir/src/test_$p.c"
	$CC -O0 -g -pthread -o "$dir/bin/test_$p" "$dir/src/test_$p.c" -L"$dir/bin" -lsuite \
		-Wl,-rpath,"$dir/bin"
done
for r in $(seq 1 "$runs"); do
	for p in $(seq 0 $((nprog - 1))); do
		LD_PRELOAD=$lib LEAK_QUIET=1 LEAK_OUTPUT="$dir/dumps/leak.%p.dump" "$dir/bin/test_$p"
	done
done
