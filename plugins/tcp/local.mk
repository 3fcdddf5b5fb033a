# plugins/tcp: the tcp transport plugin, a libtool module installed in
# $(pkglibdir) (= $(libdir)/modzmq), where the core's loader looks for it.
# Only the SDK headers and zmq.h are visible to it, never core/.
# (plugins/ipc/local.mk, included next, appends to pkglib_LTLIBRARIES.)
pkglib_LTLIBRARIES = plugins/tcp/modzmq_tcp.la
plugins_tcp_modzmq_tcp_la_SOURCES = \
	plugins/tcp/tcp.c \
	plugins/tcp/tcp_address.c plugins/tcp/tcp_address.h \
	plugins/tcp/tcp_filter.c plugins/tcp/tcp_filter.h \
	plugins/tcp/tcp_options.c plugins/tcp/tcp_options.h \
	plugins/tcp/tcp_socks.c plugins/tcp/tcp_socks.h \
	sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_tcp_modzmq_tcp_la_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/include -D_GNU_SOURCE
plugins_tcp_modzmq_tcp_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
plugins_tcp_modzmq_tcp_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined

# The suite loads the built module itself, as the core's loader would.
check_PROGRAMS += tests/test_tcp_transport
tests_test_tcp_transport_SOURCES = tests/test_tcp_transport.c \
	tests/transport_harness.c tests/transport_harness.h
tests_test_tcp_transport_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sdk \
	-DTCP_MODULE_PATH='"$(abs_top_builddir)/plugins/tcp/.libs/modzmq_tcp.so"'
tests_test_tcp_transport_CFLAGS = $(TEST_CFLAGS)
tests_test_tcp_transport_LDADD = $(API_TEST_LIBS) -ldl
