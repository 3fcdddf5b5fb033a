# plugins/curve: the CURVE mechanism plugin (RFC 25/26) on libsodium, and
# its suites. Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/curve/modzmq_curve.la
plugins_curve_modzmq_curve_la_SOURCES = \
	plugins/curve/curve.c \
	plugins/curve/curve_client.c \
	plugins/curve/curve_keys.c plugins/curve/curve_keys.h \
	plugins/curve/curve_server.c \
	plugins/curve/curve_session.c plugins/curve/curve_session.h \
	plugins/curve/curve_traffic.c \
	sdk/modzmq/plugin.h sdk/modzmq/mechanism.h
plugins_curve_modzmq_curve_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_curve_modzmq_curve_la_CFLAGS = $(PLUGIN_CFLAGS) $(SODIUM_CFLAGS)
plugins_curve_modzmq_curve_la_LIBADD = $(SODIUM_LIBS)
plugins_curve_modzmq_curve_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The unit suite loads the built module and drives a client and a server
# session against each other through a fake services table.
check_PROGRAMS += tests/test_curve
tests_test_curve_SOURCES = tests/test_curve.c \
	tests/curve_fake_core.c tests/curve_fake_core.h \
	tests/fake_msg.c tests/fake_msg.h
tests_test_curve_CPPFLAGS = $(AM_CPPFLAGS) \
	-DCURVE_MODULE_PATH='"$(abs_top_builddir)/plugins/curve/.libs/modzmq_curve.so"'
tests_test_curve_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS)
tests_test_curve_LDADD = $(LDADD) $(SODIUM_LIBS) -ldl

# The plugin's sessions over hand-made ZMTP on tcp, against libzmq 4.3 in
# a pyzmq peer: good exchanges both ways, and libzmq's protocol error for
# each kind of bad input compared with ours.
check_PROGRAMS += tests/test_curve_wire
tests_test_curve_wire_SOURCES = tests/test_curve_wire.c \
	tests/curve_fake_core.c tests/curve_fake_core.h \
	tests/fake_msg.c tests/fake_msg.h tests/peer.c tests/peer.h \
	tests/raw_zmtp.c tests/raw_zmtp.h
tests_test_curve_wire_CPPFLAGS = $(tests_test_curve_CPPFLAGS)
tests_test_curve_wire_LDADD = $(LDADD) -ldl

# CURVE through the zmq API over tcp and ipc: modzmq to modzmq, ZAP, and
# interop with libzmq 4.3 in a pyzmq peer.
check_PROGRAMS += tests/test_curve_sockets
tests_test_curve_sockets_SOURCES = tests/test_curve_sockets.c tests/peer.c tests/peer.h \
	tests/raw_zmtp.c tests/raw_zmtp.h
