# plugins/ipc: the ipc transport plugin, a libtool module installed in
# $(pkglibdir) (= $(libdir)/modzmq), where the core's loader looks for it.
# Only the SDK headers and zmq.h are visible to it, never core/.
pkglib_LTLIBRARIES += plugins/ipc/modzmq_ipc.la
plugins_ipc_modzmq_ipc_la_SOURCES = \
	plugins/ipc/ipc.c \
	plugins/ipc/ipc_address.c plugins/ipc/ipc_address.h \
	plugins/ipc/ipc_filter.c plugins/ipc/ipc_filter.h \
	plugins/ipc/ipc_options.c plugins/ipc/ipc_options.h \
	sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_ipc_modzmq_ipc_la_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/include -D_GNU_SOURCE
plugins_ipc_modzmq_ipc_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
plugins_ipc_modzmq_ipc_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined

# The suite loads the built module itself, as the core's loader would.
check_PROGRAMS += tests/test_ipc_transport
tests_test_ipc_transport_SOURCES = tests/test_ipc_transport.c \
	tests/transport_harness.c tests/transport_harness.h
tests_test_ipc_transport_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sdk \
	-DIPC_MODULE_PATH='"$(abs_top_builddir)/plugins/ipc/.libs/modzmq_ipc.so"'
tests_test_ipc_transport_CFLAGS = $(TEST_CFLAGS)
tests_test_ipc_transport_LDADD = $(API_TEST_LIBS) -ldl
