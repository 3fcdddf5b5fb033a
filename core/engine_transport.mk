# Own-engine transports (sdk/modzmq/engine_transport.h): the core's links
# and reactor services, the example datagram transport built in tree, the
# test plugin that hands its fds to ZMTP, and their suite. Included by
# Makefile.am after sdk/local.mk.

modzmqsdk_HEADERS += sdk/modzmq/engine_transport.h

core_libmzcore_la_SOURCES += \
	core/plugin_link.c core/plugin_link.h \
	core/plugin_reactor.c core/plugin_reactor.h \
	core/transport_link.c

# The suite's plugins live apart from tests/plugins, whose every module
# the loader suite opens and counts.
check_LTLIBRARIES += tests/engine_plugins/modzmq_unixpacket.la \
	tests/engine_plugins/modzmq_handover.la
tests_engine_plugins_modzmq_unixpacket_la_SOURCES = sdk/examples/example_datagram.c
tests_engine_plugins_modzmq_unixpacket_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_engine_plugins_modzmq_handover_la_SOURCES = tests/engine_plugins/handover.c
tests_engine_plugins_modzmq_handover_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

check_PROGRAMS += tests/test_engine_transport
tests_test_engine_transport_CFLAGS = $(TEST_CFLAGS)
tests_test_engine_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-DENGINE_PLUGIN_DIR='"$(abs_top_builddir)/tests/engine_plugins/.libs"'
tests_test_engine_transport_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)
