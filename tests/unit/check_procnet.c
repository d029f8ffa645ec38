/*
 * check_procnet.c - base/procnet.c: a socket's description from the text
 * of /proc/net/{tcp,tcp6,udp,udp6,unix} (lines as the kernel prints them),
 * found by inode; malformed lines skipped; a long path cut, never
 * overflowing.
 */
#include <check.h>
#include <string.h>

#include "base/procnet.h"

static const char tcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:9C56 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 31338 1 0000000000000000 20 4 30 10 -1\n"
    "   2: garbage line\n"
    "   3: 0A00020F:0016 C0A80001:D431 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000\n";

static const char tcp6[] =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 4243 1\n"
    "   2: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4244 1\n";

static const char udp[] =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    "  100: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 555 2 0000000000000000 0\n"
    "  101: 0100007F:A000 0100007F:0035 01 00000000:00000000 00:00000000 00000000   101        0 556 2 0000000000000000 0\n";

static const char unx[] =
    "Num       RefCount Protocol Flags    Type St Inode Path\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 777 /run/app.sock\n"
    "0000000000000000: 00000003 00000000 00000000 0001 03 778\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 779 @abstract\n"
    "0000000000000000: 00000002 00000000 00010000 0001 01 780 /tmp/with space\n";

static const char *
find(enum procnet_table t, const char *text, uint64_t inode)
{
	static char out[256];

	if (!procnet_find(t, text, strlen(text), inode, out, sizeof(out)))
		return NULL;
	return out;
}

START_TEST(tcp_v4)
{
	ck_assert_str_eq(find(PROCNET_TCP, tcp, 31337), "TCP 127.0.0.1:8080 LISTEN");
	ck_assert_str_eq(find(PROCNET_TCP, tcp, 31338),
	    "TCP 127.0.0.1:40022 -> 127.0.0.1:8080 ESTABLISHED");
	ck_assert_ptr_null(find(PROCNET_TCP, tcp, 0 + 1));
	ck_assert_ptr_null(find(PROCNET_TCP, tcp, 3133)); /* a prefix is no match */
	ck_assert_str_eq(find(PROCNET_TCP, tcp, 0),
	    "TCP 15.2.0.10:22 -> 1.0.168.192:54321 TIME_WAIT");
}
END_TEST

START_TEST(tcp_v6)
{
	ck_assert_str_eq(find(PROCNET_TCP6, tcp6, 4242), "TCP6 [::1]:53 LISTEN");
	ck_assert_str_eq(find(PROCNET_TCP6, tcp6, 4243),
	    "TCP6 [::ffff:127.0.0.1]:8080 -> [::ffff:127.0.0.1]:49152 ESTABLISHED");
	ck_assert_str_eq(find(PROCNET_TCP6, tcp6, 4244), "TCP6 [2001:db8::1]:443 LISTEN");
}
END_TEST

START_TEST(udp_and_unix)
{
	ck_assert_str_eq(find(PROCNET_UDP, udp, 555), "UDP 0.0.0.0:5353");
	ck_assert_str_eq(find(PROCNET_UDP, udp, 556), "UDP 127.0.0.1:40960 -> 127.0.0.1:53");
	ck_assert_str_eq(find(PROCNET_UNIX, unx, 777), "UNIX /run/app.sock");
	ck_assert_str_eq(find(PROCNET_UNIX, unx, 778), "UNIX (unnamed)");
	ck_assert_str_eq(find(PROCNET_UNIX, unx, 779), "UNIX @abstract");
	ck_assert_str_eq(find(PROCNET_UNIX, unx, 780), "UNIX /tmp/with space");
	ck_assert_ptr_null(find(PROCNET_UNIX, unx, 31337));
	/* the header line is never a socket, whatever it holds */
	ck_assert_ptr_null(find(PROCNET_UNIX, "Num 1 2 3 4 5 777 /x\n", 777));
	ck_assert_str_eq(procnet_path(PROCNET_TCP6), "/proc/net/tcp6");
}
END_TEST

START_TEST(cut_never_overflows)
{
	char out[12];

	memset(out, 'X', sizeof(out));
	ck_assert(procnet_find(PROCNET_UNIX, unx, strlen(unx), 777, out, 8));
	ck_assert_uint_eq(strlen(out), 7);
	ck_assert_int_eq(out[8], 'X');
	ck_assert(!procnet_find(PROCNET_TCP, "", 0, 1, out, sizeof(out)));
	ck_assert(!procnet_find(PROCNET_COUNT, tcp, strlen(tcp), 31337, out, sizeof(out)));
	/* a file without its last newline */
	ck_assert(procnet_find(PROCNET_UDP, udp, strlen(udp) - 1, 556, out, sizeof(out)));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("procnet");
	TCase *tc = tcase_create("procnet");
	SRunner *r;
	int failed;

	tcase_add_test(tc, tcp_v4);
	tcase_add_test(tc, tcp_v6);
	tcase_add_test(tc, udp_and_unix);
	tcase_add_test(tc, cut_never_overflows);
	suite_add_tcase(s, tc);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? 0 : 1;
}
