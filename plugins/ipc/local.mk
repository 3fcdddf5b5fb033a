# plugins/ipc: the ipc transport plugin and its suite. Included by
# Makefile.am.
pkglib_LTLIBRARIES += plugins/ipc/modzmq_ipc.la
plugins_ipc_modzmq_ipc_la_SOURCES = \
	plugins/ipc/ipc.c \
	plugins/ipc/ipc_address.c plugins/ipc/ipc_address.h \
	plugins/ipc/ipc_filter.c plugins/ipc/ipc_filter.h \
	plugins/ipc/ipc_options.c plugins/ipc/ipc_options.h \
	$(STREAM_FD_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_ipc_modzmq_ipc_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS)
plugins_ipc_modzmq_ipc_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_ipc_modzmq_ipc_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The suite loads the built module itself, as the core's loader would.
check_PROGRAMS += tests/test_ipc_transport
tests_test_ipc_transport_SOURCES = tests/test_ipc_transport.c \
	tests/transport_harness.c tests/transport_harness.h
tests_test_ipc_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-DIPC_MODULE_PATH='"$(abs_top_builddir)/plugins/ipc/.libs/modzmq_ipc.so"'
tests_test_ipc_transport_LDADD = $(LDADD) -ldl
