/*
 * sym_fixture.c - check_symbolize fixture, built -g -O0 (and copied
 * stripped): alpha() is exported in .dynsym, beta() is static.
 */
void fixture_module(void);
void fixture_site(const char *tag, int l0, int l1, int l2);

__attribute__((noinline)) void alpha(void);

__attribute__((noinline)) void
alpha(void)
{
	fixture_site("alpha", __LINE__, 0, 0);
}

static __attribute__((noinline)) void
beta(void)
{
	fixture_site("beta", __LINE__, 0, 0);
}

int
main(void)
{
	fixture_module();
	alpha();
	beta();
	return 0;
}
