/*
 * sym_fixture.c - check_symbolize fixture, built -g -O0 (and copied
 * stripped): alpha() is exported in .dynsym, beta() is static. It also
 * reports the run-time addresses of data in known sections: an initialized
 * array (.data), a zeroed one (.bss), a file-static and a function-static
 * pointer (.bss, local symbols) and a constant table of pointers
 * (.data.rel.ro in a PIE), for sym_resolve_data().
 */
void fixture_module(void);
void fixture_site(const char *tag, int l0, int l1, int l2);
void fixture_data(const char *tag, const void *addr);

int fixture_table[4] = { 1, 2, 3, 4 };
long fixture_counter[4];
const char *const fixture_names[3] = { "a", "b", "c" };
static char *fixture_hidden;

__attribute__((noinline)) void alpha(void);

__attribute__((noinline)) void
alpha(void)
{
	fixture_site("alpha", __LINE__, 0, 0);
}

static __attribute__((noinline)) void
beta(void)
{
	static int calls;

	calls++;
	fixture_site("beta", __LINE__, 0, 0);
	fixture_data("calls", &calls);
}

int
main(void)
{
	fixture_module();
	alpha();
	beta();
	fixture_data("table+8", (const char *)fixture_table + 8);
	fixture_data("counter", fixture_counter);
	fixture_data("names+8", (const char *)fixture_names + 8);
	fixture_data("hidden", &fixture_hidden);
	return 0;
}
