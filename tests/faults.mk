# The fault suite (issue 10, item 2): the fd limit exhausted and memory
# allocation failing. The program links the core itself with its
# allocations wrapped (tests/alloc_fail.c), and static copies of the tcp
# and ipc plugins (-dlpreopen) so that theirs are counted too. Included by
# Makefile.am after the plugins' local.mk.
check_LTLIBRARIES += tests/faults/modzmq_tcp.la tests/faults/modzmq_ipc.la
tests_faults_modzmq_tcp_la_SOURCES = $(plugins_tcp_modzmq_tcp_la_SOURCES)
tests_faults_modzmq_tcp_la_CPPFLAGS = $(plugins_tcp_modzmq_tcp_la_CPPFLAGS) \
	-DMODZMQ_PLUGIN_MODULE=modzmq_tcp
tests_faults_modzmq_tcp_la_CFLAGS = $(AM_CFLAGS)
tests_faults_modzmq_tcp_la_LDFLAGS = -module -avoid-version -rpath /nowhere -static
tests_faults_modzmq_ipc_la_SOURCES = $(plugins_ipc_modzmq_ipc_la_SOURCES)
tests_faults_modzmq_ipc_la_CPPFLAGS = $(plugins_ipc_modzmq_ipc_la_CPPFLAGS) \
	-DMODZMQ_PLUGIN_MODULE=modzmq_ipc
tests_faults_modzmq_ipc_la_CFLAGS = $(AM_CFLAGS)
tests_faults_modzmq_ipc_la_LDFLAGS = -module -avoid-version -rpath /nowhere -static

ALLOC_WRAPS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	-Wl,--wrap=strdup,--wrap=strndup,--wrap=aligned_alloc

check_PROGRAMS += tests/test_faults
tests_test_faults_SOURCES = tests/test_faults.c tests/alloc_fail.c \
	tests/alloc_fail.h $(STRESS_HELPERS) tests/raw_zmtp.c tests/raw_zmtp.h
tests_test_faults_CFLAGS = $(TEST_CFLAGS)
tests_test_faults_LDFLAGS = $(ALLOC_WRAPS) \
	-dlpreopen tests/faults/modzmq_tcp.la -dlpreopen tests/faults/modzmq_ipc.la
tests_test_faults_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS) $(LTDL_LIBS)
tests_test_faults_DEPENDENCIES = tests/faults/modzmq_tcp.la \
	tests/faults/modzmq_ipc.la tests/libtestutil.la core/libmzcore.la
