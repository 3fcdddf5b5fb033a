# plugins/ws: ZeroMQ over WebSocket (ZWS 2.0), ws:// and wss:// (TLS on
# GnuTLS), and its suites. The tcp
# plugin's address and option code is compiled in as well: ws endpoints
# resolve and take options as tcp ones do. Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/ws/modzmq_ws.la
plugins_ws_modzmq_ws_la_SOURCES = \
	plugins/ws/ws.c \
	plugins/ws/ws_stream.c plugins/ws/ws_stream.h \
	plugins/ws/ws_handshake.c plugins/ws/ws_handshake.h \
	plugins/ws/ws_tls.c plugins/ws/ws_tls.h \
	plugins/tcp/tcp_address.c plugins/tcp/tcp_address.h \
	plugins/tcp/tcp_options.c plugins/tcp/tcp_options.h \
	$(STREAM_FD_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/transport.h sdk/modzmq/stream.h
plugins_ws_modzmq_ws_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS)
plugins_ws_modzmq_ws_la_CFLAGS = $(PLUGIN_CFLAGS) $(GLIB_CFLAGS) \
	$(GNUTLS_CFLAGS)
plugins_ws_modzmq_ws_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_ws_modzmq_ws_la_LIBADD = $(GLIB_LIBS) $(GNUTLS_LIBS)

# Ours against ours, and a raw client written by hand for what no library
# sends (bad upgrades, unmasked and oversized frames, pings).
check_PROGRAMS += tests/test_ws_transport
tests_test_ws_transport_SOURCES = tests/test_ws_transport.c \
	tests/zap_handler.c tests/zap_handler.h \
	tests/ws_suites.c tests/ws_suites.h
tests_test_ws_transport_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMISSING_PLUGIN_DIR='"$(abs_top_builddir)/plugins/tcp/.libs"'
tests_test_ws_transport_LDADD = $(LDADD) -lpthread

# Against libzmq 4.3.4 in pyzmq peers (tests/peer.c).
check_PROGRAMS += tests/test_ws_interop
tests_test_ws_interop_SOURCES = tests/test_ws_interop.c tests/peer.c \
	tests/peer.h tests/zap_handler.c tests/zap_handler.h
tests_test_ws_interop_LDADD = $(LDADD) -lpthread

# The example web page (examples/ws/: index.html and zws.js, a ZWS client
# in plain JavaScript) in headless Chromium against our PUB and ROUTER.
check_PROGRAMS += tests/test_ws_browser
tests_test_ws_browser_SOURCES = tests/test_ws_browser.c
EXTRA_DIST += examples/ws/index.html examples/ws/zws.js

# wss: ours against ours, Python's ssl module (OpenSSL) as the standard
# TLS peer in another process (tests/peers/tls_peer.py), and peers that
# stall or lie, with certificates made by openssl at test time.
check_PROGRAMS += tests/test_wss_transport
tests_test_wss_transport_SOURCES = tests/test_wss_transport.c tests/peer.c \
	tests/peer.h tests/ws_suites.c tests/ws_suites.h
tests_test_wss_transport_LDADD = $(LDADD) -lpthread
EXTRA_DIST += tests/peers/tls_peer.py
