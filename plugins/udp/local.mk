# plugins/udp: the udp transport plugin (its own engine: RADIO, DISH and
# DGRAM datagrams), its suite and the fuzz target of its datagram parser.
# Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/udp/modzmq_udp.la
plugins_udp_modzmq_udp_la_SOURCES = \
	plugins/udp/udp.c \
	plugins/udp/udp_address.c plugins/udp/udp_address.h \
	plugins/udp/udp_datagram.c plugins/udp/udp_datagram.h \
	$(SINGLE_LINK_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/engine_transport.h
plugins_udp_modzmq_udp_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(COMMON_CPPFLAGS)
plugins_udp_modzmq_udp_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_udp_modzmq_udp_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The suite loads the built module itself and plays the core's part with
# a reactor and links of its own (RADIO and DISH over it, with the core,
# are tests/test_radio_dish's); its codec and address cases compile the plugin's
# files in.
check_PROGRAMS += tests/test_udp_transport
tests_test_udp_transport_SOURCES = tests/test_udp_transport.c \
	plugins/udp/udp_address.c plugins/udp/udp_address.h \
	plugins/udp/udp_datagram.c plugins/udp/udp_datagram.h
tests_test_udp_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/udp \
	-DUDP_MODULE_PATH='"$(abs_top_builddir)/plugins/udp/.libs/modzmq_udp.so"'
tests_test_udp_transport_LDADD = $(LDADD) -ldl
