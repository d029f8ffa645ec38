# objects.py - benchmark workload for /usr/bin/python3 (run with PYTHONMALLOC=malloc, so
# every object is a malloc'd block the tools see). Builds a few hundred thousand dicts,
# lists, tuples and strings, indexes them, sorts them, and drops them again.
import sys

if len(sys.argv) != 1:
    sys.stderr.write("objects.py: usage: python3 objects.py (no arguments)\n")
    sys.exit(2)

N = 200000
people = []
for i in range(N):
    people.append({"id": i, "name": "person-%06d" % (i * 7919 % N),
                   "tags": ["t%d" % (i % 17), "g%d" % (i % 5)], "pos": (i % 100, i // 100)})
by_name = {p["name"]: p for p in people}
groups = {}
for p in people:
    groups.setdefault(p["tags"][0], []).append(p["id"])
people.sort(key=lambda p: p["name"])
words = " ".join(p["name"] for p in people[:50000]).split()
total = sum(len(v) for v in groups.values()) + len(by_name) + len(words)
del people, by_name, groups, words
if total != 2 * N + 50000:
    sys.stderr.write("objects.py: wrong total %d\n" % total)
    sys.exit(1)
