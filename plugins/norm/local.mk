# plugins/norm: the norm transport plugin (its own engine, on NRL's NORM
# library), built only when configure finds norm, and its suite. Included
# by Makefile.am.
if HAVE_NORM
pkglib_LTLIBRARIES += plugins/norm/modzmq_norm.la
plugins_norm_modzmq_norm_la_SOURCES = \
	plugins/norm/norm.c plugins/norm/norm_c.h \
	plugins/norm/norm_address.c plugins/norm/norm_address.h \
	plugins/norm/norm_framing.c plugins/norm/norm_framing.h \
	$(MESSAGES_IN_SOURCES) $(SINGLE_LINK_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/engine_transport.h
plugins_norm_modzmq_norm_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(COMMON_CPPFLAGS)
plugins_norm_modzmq_norm_la_CFLAGS = $(PLUGIN_CFLAGS) $(NORM_CFLAGS)
plugins_norm_modzmq_norm_la_LIBADD = $(NORM_LIBS)
plugins_norm_modzmq_norm_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The suite tests the framing and the address code as they are (it
# compiles them in), and norm traffic through the core with the built
# module, ours and Debian's libzmq, in a network namespace of its own.
check_PROGRAMS += tests/test_norm_transport
tests_test_norm_transport_SOURCES = tests/test_norm_transport.c \
	plugins/norm/norm_address.c plugins/norm/norm_address.h \
	plugins/norm/norm_framing.c plugins/norm/norm_framing.h \
	$(ASSEMBLY_SOURCES) \
	tests/multicast_traffic.c tests/multicast_traffic.h \
	tests/peer.c tests/peer.h
tests_test_norm_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/norm $(COMMON_CPPFLAGS)
endif
