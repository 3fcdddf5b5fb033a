# tests/fuzz: the fuzz targets (issue 10), included by Makefile.am.
#
# Each target is one file defining LLVMFuzzerTestOneInput. Here it is
# linked with tests/fuzz/replay.c, whose main replays the target's
# committed corpus (tests/fuzz/corpus/<target>/), so that make check runs
# every corpus on every build, the sanitizer build included.
# tools/fuzz.sh builds the same programs with clang and libFuzzer
# (-DMODZMQ_LIBFUZZER empties replay.c; FUZZER_LINK=-fsanitize=fuzzer on
# its make command line links libFuzzer's main) and runs them.
FUZZER_LINK =
FUZZ_INCLUDES = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS_DIR='"$(abs_top_srcdir)/tests/fuzz/corpus"'
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/input.c tests/fuzz/replay.c \
	tests/fuzz/socket_types.c tests/fuzz/waits.c

fuzz_targets = \
	tests/fuzz/fuzz_decoder \
	tests/fuzz/fuzz_greeting \
	tests/fuzz/fuzz_handshake_null \
	tests/fuzz/fuzz_traffic \
	tests/fuzz/fuzz_plain_server \
	tests/fuzz/fuzz_plain_client \
	tests/fuzz/fuzz_curve_server \
	tests/fuzz/fuzz_curve_client \
	tests/fuzz/fuzz_zap \
	tests/fuzz/fuzz_z85 \
	tests/fuzz/fuzz_endpoint \
	tests/fuzz/fuzz_sockopt \
	tests/fuzz/fuzz_stream \
	tests/fuzz/fuzz_udp_datagram \
	tests/fuzz/fuzz_threadsafe \
	tests/fuzz/fuzz_ws_frames \
	tests/fuzz/fuzz_pgm_framing
check_PROGRAMS += $(fuzz_targets)

# The engine below the socket layer, over a socketpair.
FUZZ_ENGINE = tests/fuzz/engine_driver.c tests/fuzz/engine_driver.h

tests_fuzz_fuzz_decoder_SOURCES = tests/fuzz/fuzz_decoder.c $(FUZZ_COMMON)
tests_fuzz_fuzz_decoder_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_decoder"'
tests_fuzz_fuzz_decoder_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_decoder_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_greeting_SOURCES = tests/fuzz/fuzz_greeting.c $(FUZZ_ENGINE) $(FUZZ_COMMON)
tests_fuzz_fuzz_greeting_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_greeting"'
tests_fuzz_fuzz_greeting_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_greeting_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_handshake_null_SOURCES = tests/fuzz/fuzz_handshake_null.c $(FUZZ_ENGINE) $(FUZZ_COMMON)
tests_fuzz_fuzz_handshake_null_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_handshake_null"'
tests_fuzz_fuzz_handshake_null_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_handshake_null_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_traffic_SOURCES = tests/fuzz/fuzz_traffic.c $(FUZZ_ENGINE) $(FUZZ_COMMON)
tests_fuzz_fuzz_traffic_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_traffic"'
tests_fuzz_fuzz_traffic_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_traffic_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_plain_server_SOURCES = tests/fuzz/fuzz_plain_server.c $(FUZZ_ENGINE) $(FUZZ_COMMON)
tests_fuzz_fuzz_plain_server_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_plain_server"'
tests_fuzz_fuzz_plain_server_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_plain_server_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_plain_client_SOURCES = tests/fuzz/fuzz_plain_client.c $(FUZZ_ENGINE) $(FUZZ_COMMON)
tests_fuzz_fuzz_plain_client_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_plain_client"'
tests_fuzz_fuzz_plain_client_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_plain_client_LDADD = $(CORE_TEST_LIBS)

# Two sessions of a mechanism plugin through core/zmtp/mechanism.c.
FUZZ_MECHANISM = tests/fuzz/mechanism_driver.c tests/fuzz/mechanism_driver.h \
	tests/fuzz/mechanism_setup.c

tests_fuzz_fuzz_curve_server_SOURCES = tests/fuzz/fuzz_curve_server.c $(FUZZ_MECHANISM) $(FUZZ_COMMON)
tests_fuzz_fuzz_curve_server_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_curve_server"'
tests_fuzz_fuzz_curve_server_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_curve_server_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_curve_client_SOURCES = tests/fuzz/fuzz_curve_client.c $(FUZZ_MECHANISM) $(FUZZ_COMMON)
tests_fuzz_fuzz_curve_client_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_curve_client"'
tests_fuzz_fuzz_curve_client_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_curve_client_LDADD = $(CORE_TEST_LIBS)

# Through the API, in one process.
tests_fuzz_fuzz_zap_SOURCES = tests/fuzz/fuzz_zap.c $(FUZZ_COMMON)
tests_fuzz_fuzz_zap_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_zap"'
tests_fuzz_fuzz_zap_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_zap_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_z85_SOURCES = tests/fuzz/fuzz_z85.c $(FUZZ_COMMON)
tests_fuzz_fuzz_z85_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_z85"'
tests_fuzz_fuzz_z85_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_z85_LDADD = $(CORE_TEST_LIBS)

# The udp plugin's datagram and address-frame parsers, compiled in.
tests_fuzz_fuzz_udp_datagram_SOURCES = tests/fuzz/fuzz_udp_datagram.c \
	plugins/udp/udp_datagram.c plugins/udp/udp_datagram.h \
	plugins/udp/udp_address.c plugins/udp/udp_address.h $(FUZZ_COMMON)
tests_fuzz_fuzz_udp_datagram_CPPFLAGS = $(FUZZ_INCLUDES) \
	-I$(top_srcdir)/plugins/udp -DFUZZ_TARGET='"fuzz_udp_datagram"'
tests_fuzz_fuzz_udp_datagram_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_udp_datagram_LDADD = $(CORE_TEST_LIBS)

# The ws plugin's byte stream (RFC 6455 frames in, ZMTP out), compiled
# in, over a socketpair.
tests_fuzz_fuzz_ws_frames_SOURCES = tests/fuzz/fuzz_ws_frames.c \
	plugins/ws/ws_stream.c plugins/ws/ws_stream.h \
	plugins/ws/ws_handshake.c plugins/ws/ws_handshake.h \
	plugins/ws/ws_tls.c plugins/ws/ws_tls.h $(FUZZ_COMMON)
tests_fuzz_fuzz_ws_frames_CPPFLAGS = $(FUZZ_INCLUDES) \
	-I$(top_srcdir)/plugins/ws -DFUZZ_TARGET='"fuzz_ws_frames"'
tests_fuzz_fuzz_ws_frames_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(GNUTLS_CFLAGS)
tests_fuzz_fuzz_ws_frames_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_ws_frames_LDADD = $(CORE_TEST_LIBS) $(GLIB_LIBS) $(GNUTLS_LIBS)

# The pgm plugin's framing, compiled in (pure code: no OpenPGM needed).
tests_fuzz_fuzz_pgm_framing_SOURCES = tests/fuzz/fuzz_pgm_framing.c \
	plugins/pgm/pgm_framing.c plugins/pgm/pgm_framing.h \
	$(ASSEMBLY_SOURCES) $(FUZZ_COMMON)
tests_fuzz_fuzz_pgm_framing_CPPFLAGS = $(FUZZ_INCLUDES) \
	-I$(top_srcdir)/plugins/pgm $(COMMON_CPPFLAGS) \
	-DFUZZ_TARGET='"fuzz_pgm_framing"'
tests_fuzz_fuzz_pgm_framing_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_pgm_framing_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_endpoint_SOURCES = tests/fuzz/fuzz_endpoint.c $(FUZZ_COMMON)
tests_fuzz_fuzz_endpoint_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_endpoint"'
tests_fuzz_fuzz_endpoint_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_endpoint_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_sockopt_SOURCES = tests/fuzz/fuzz_sockopt.c $(FUZZ_COMMON)
tests_fuzz_fuzz_sockopt_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_sockopt"'
tests_fuzz_fuzz_sockopt_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_sockopt_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_stream_SOURCES = tests/fuzz/fuzz_stream.c $(FUZZ_COMMON)
tests_fuzz_fuzz_stream_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_stream"'
tests_fuzz_fuzz_stream_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_stream_LDADD = $(CORE_TEST_LIBS)

# The thread-safe types' API, from two threads on one pair of sockets.
tests_fuzz_fuzz_threadsafe_SOURCES = tests/fuzz/fuzz_threadsafe.c $(FUZZ_COMMON)
tests_fuzz_fuzz_threadsafe_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_threadsafe"'
tests_fuzz_fuzz_threadsafe_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_threadsafe_LDADD = $(CORE_TEST_LIBS)

# The GSSAPI targets need a Kerberos realm: tests/fuzz/replay_gssapi.sh
# replays both corpora inside one made by tests/gssapi_realm.sh (built as
# check scripts, as test_gssapi is).
EXTRA_PROGRAMS += tests/fuzz/fuzz_gssapi_server tests/fuzz/fuzz_gssapi_client
check_SCRIPTS += tests/fuzz/fuzz_gssapi_server$(EXEEXT) tests/fuzz/fuzz_gssapi_client$(EXEEXT)
TESTS += tests/fuzz/replay_gssapi.sh
EXTRA_DIST += tests/fuzz/replay_gssapi.sh
tests_fuzz_fuzz_gssapi_server_SOURCES = tests/fuzz/fuzz_gssapi_server.c $(FUZZ_MECHANISM) $(FUZZ_COMMON)
tests_fuzz_fuzz_gssapi_server_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_gssapi_server"'
tests_fuzz_fuzz_gssapi_server_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_gssapi_server_LDADD = $(CORE_TEST_LIBS)

tests_fuzz_fuzz_gssapi_client_SOURCES = tests/fuzz/fuzz_gssapi_client.c $(FUZZ_MECHANISM) $(FUZZ_COMMON)
tests_fuzz_fuzz_gssapi_client_CPPFLAGS = $(FUZZ_INCLUDES) -DFUZZ_TARGET='"fuzz_gssapi_client"'
tests_fuzz_fuzz_gssapi_client_LDFLAGS = $(AM_LDFLAGS) $(FUZZER_LINK)
tests_fuzz_fuzz_gssapi_client_LDADD = $(CORE_TEST_LIBS)

# The committed corpora and their generator.
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/seeds.py
