# plugins/tcp: the tcp transport plugin, with SOCKS5 proxies, and its
# suites. Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/tcp/modzmq_tcp.la
plugins_tcp_modzmq_tcp_la_SOURCES = \
	plugins/tcp/tcp.c \
	plugins/tcp/tcp_address.c plugins/tcp/tcp_address.h \
	plugins/tcp/tcp_filter.c plugins/tcp/tcp_filter.h \
	plugins/tcp/tcp_options.c plugins/tcp/tcp_options.h \
	plugins/tcp/tcp_socks.c plugins/tcp/tcp_socks.h \
	$(STREAM_FD_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_tcp_modzmq_tcp_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS)
plugins_tcp_modzmq_tcp_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_tcp_modzmq_tcp_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The suite loads the built module itself, as the core's loader would.
check_PROGRAMS += tests/test_tcp_transport
tests_test_tcp_transport_SOURCES = tests/test_tcp_transport.c \
	tests/transport_harness.c tests/transport_harness.h
tests_test_tcp_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTCP_MODULE_PATH='"$(abs_top_builddir)/plugins/tcp/.libs/modzmq_tcp.so"'
tests_test_tcp_transport_LDADD = $(LDADD) -ldl

# SOCKS5 proxies (RFC 1928, RFC 1929) through the API: a proxy thread of
# the suite, libzmq 4.3.4 in a pyzmq peer as the reference for the bytes
# (tests/peer.c).
check_PROGRAMS += tests/test_socks
tests_test_socks_SOURCES = tests/test_socks.c tests/peer.c tests/peer.h
tests_test_socks_LDADD = $(LDADD) -lpthread
