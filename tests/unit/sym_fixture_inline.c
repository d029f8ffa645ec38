/*
 * sym_fixture_inline.c - check_symbolize fixture, built -g -O2: deep() is
 * inlined into mid(), mid() into outer(). The site reports its own line and
 * the lines of both call sites, so the test knows the whole chain.
 */
void fixture_module(void);
void fixture_site(const char *tag, int l0, int l1, int l2);
void outer(void);

static inline __attribute__((always_inline)) void
deep(int mid_line, int outer_line)
{
	fixture_site("inline", __LINE__, mid_line, outer_line);
	__asm__ volatile("" ::: "memory"); /* no tail call: keep the return address */
}

static inline __attribute__((always_inline)) void
mid(int outer_line)
{
	deep(__LINE__, outer_line);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void
outer(void)
{
	mid(__LINE__);
	__asm__ volatile("" ::: "memory");
}

int
main(void)
{
	fixture_module();
	outer();
	return 0;
}
