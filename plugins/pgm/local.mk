# plugins/pgm: the pgm and epgm transport plugin (its own engine, on
# OpenPGM), built only when configure finds openpgm-5.3, and its suite.
# Included by Makefile.am.
if HAVE_PGM
pkglib_LTLIBRARIES += plugins/pgm/modzmq_pgm.la
plugins_pgm_modzmq_pgm_la_SOURCES = \
	plugins/pgm/pgm.c \
	plugins/pgm/pgm_address.c plugins/pgm/pgm_address.h \
	plugins/pgm/pgm_framing.c plugins/pgm/pgm_framing.h \
	$(MESSAGES_IN_SOURCES) $(SINGLE_LINK_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/engine_transport.h
plugins_pgm_modzmq_pgm_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(COMMON_CPPFLAGS)
plugins_pgm_modzmq_pgm_la_CFLAGS = $(PLUGIN_CFLAGS) $(PGM_CFLAGS)
plugins_pgm_modzmq_pgm_la_LIBADD = $(PGM_LIBS)
plugins_pgm_modzmq_pgm_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The suite tests the framing and the address code as they are (it
# compiles them in), and pgm and epgm traffic through the core with the
# built module, ours and Debian's libzmq, in a network namespace of its
# own.
check_PROGRAMS += tests/test_pgm_transport
tests_test_pgm_transport_SOURCES = tests/test_pgm_transport.c \
	plugins/pgm/pgm_address.c plugins/pgm/pgm_address.h \
	plugins/pgm/pgm_framing.c plugins/pgm/pgm_framing.h \
	$(ASSEMBLY_SOURCES) \
	tests/multicast_traffic.c tests/multicast_traffic.h \
	tests/peer.c tests/peer.h
tests_test_pgm_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/pgm $(COMMON_CPPFLAGS)
endif
