/*
 * sym_fixture_cxx.cc - check_symbolize fixture in C++, built -g -O0: the
 * site is in a class method in a namespace, whose name must come out
 * demangled as ns::Widget::make(int).
 */
extern "C" void fixture_module(void);
extern "C" void fixture_site(const char *tag, int l0, int l1, int l2);

namespace ns {
class Widget {
public:
	__attribute__((noinline)) static int make(int n);
};

int
Widget::make(int n)
{
	fixture_site("make", __LINE__, 0, 0);
	return n + 1;
}
} // namespace ns

int
main()
{
	fixture_module();
	return ns::Widget::make(1) == 2 ? 0 : 1;
}
