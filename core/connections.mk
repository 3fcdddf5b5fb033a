# core: network connections on the I/O threads. A listener per bind, a
# session per connect or accepted connection, and a session's engines
# beside ZMTP's: the raw engine of ZMQ_STREAM, and links to the
# transports that bring their own (sdk/modzmq/engine_transport.h) with
# the reactor services those use. Both kinds of transport plugin go
# through one interface (transport.h: the stream kind and the link kind);
# a dialer connects and reconnects for a session. Included by Makefile.am.
core_libmzcore_la_SOURCES += \
	core/transport.c core/transport.h \
	core/transport_stream.c \
	core/transport_link.c \
	core/dialer.c core/dialer.h \
	core/listener.c core/listener.h \
	core/session.c core/session.h \
	core/raw_engine.c core/raw_engine.h \
	core/plugin_link.c core/plugin_link.h \
	core/plugin_reactor.c core/plugin_reactor.h

# Over the tcp and ipc plugins; against libzmq 4.3 in pyzmq peers
# (tests/peer.c runs tests/peers/zmq_peer.py).
check_PROGRAMS += tests/test_network
check_PROGRAMS += tests/test_interop
tests_test_interop_SOURCES = tests/test_interop.c tests/peer.c tests/peer.h
check_PROGRAMS += tests/test_peer_messages
tests_test_peer_messages_SOURCES = tests/test_peer_messages.c tests/peer.c \
	tests/peer.h
EXTRA_DIST += tests/peers/zmq_peer.py

# Own-engine transports: the example datagram transport built in tree,
# the test plugin that hands its fds to ZMTP, the one that echoes message
# groups, and their suite. The
# plugins live apart from tests/plugins, whose every module the loader
# suite opens and counts.
check_LTLIBRARIES += tests/engine_plugins/modzmq_unixpacket.la \
	tests/engine_plugins/modzmq_handover.la \
	tests/engine_plugins/modzmq_groupecho.la
tests_engine_plugins_modzmq_unixpacket_la_SOURCES = sdk/examples/example_datagram.c
tests_engine_plugins_modzmq_unixpacket_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_engine_plugins_modzmq_handover_la_SOURCES = tests/engine_plugins/handover.c
tests_engine_plugins_modzmq_handover_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_engine_plugins_modzmq_groupecho_la_SOURCES = tests/engine_plugins/group_echo.c
tests_engine_plugins_modzmq_groupecho_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

check_PROGRAMS += tests/test_engine_transport
tests_test_engine_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-DENGINE_PLUGIN_DIR='"$(abs_top_builddir)/tests/engine_plugins/.libs"'
tests_test_engine_transport_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)
