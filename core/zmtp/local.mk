# core/zmtp: the ZMTP engine (greeting, framing, commands, properties,
# the receive buffer, RFC 37's socket types), the NULL mechanism and the
# plugin mechanisms' side in the engine, ZAP and the peer metadata; and
# their suites, below the socket layer and through the API. Included by
# Makefile.am.
core_libmzcore_la_SOURCES += \
	core/zmtp/engine.c core/zmtp/engine.h \
	core/zmtp/zmtp_greeting.c core/zmtp/zmtp_greeting.h \
	core/zmtp/zmtp_decoder.c core/zmtp/zmtp_decoder.h \
	core/zmtp/zmtp_encoder.c core/zmtp/zmtp_encoder.h \
	core/zmtp/zmtp_command.c core/zmtp/zmtp_command.h \
	core/zmtp/zmtp_properties.c core/zmtp/zmtp_properties.h \
	core/zmtp/recv_buffer.c core/zmtp/recv_buffer.h \
	core/zmtp/socket_compat.c core/zmtp/socket_compat.h \
	core/zmtp/null_mechanism.c core/zmtp/null_mechanism.h \
	core/zmtp/mechanism.c core/zmtp/mechanism.h \
	core/zmtp/zap.c core/zmtp/zap.h \
	core/zmtp/peer_metadata.c core/zmtp/peer_metadata.h

# The engine below the socket layer, against hand-written ZMTP peers
# (tests/peers/zmtp_peer.py), and with the PLAIN plugin.
check_PROGRAMS += tests/test_engine tests/test_mechanism
tests_test_engine_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)
tests_test_mechanism_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)
EXTRA_DIST += tests/peers/zmtp_peer.py

# A socket with nothing to do uses no CPU, in every state a connection can
# be left in.
check_PROGRAMS += tests/test_idle_cpu
tests_test_idle_cpu_SOURCES = tests/test_idle_cpu.c tests/raw_zmtp.c tests/raw_zmtp.h

# PLAIN and ZAP through the API, with a ZAP handler thread of the test;
# and against libzmq 4.3 in a pyzmq process (tests/peer.c).
check_PROGRAMS += tests/test_plain tests/test_plain_interop
tests_test_plain_SOURCES = tests/test_plain.c \
	tests/zap_handler.c tests/zap_handler.h
tests_test_plain_interop_SOURCES = tests/test_plain_interop.c \
	tests/peer.c tests/peer.h tests/zap_handler.c tests/zap_handler.h

# A mechanism's encode/decode hooks on the traffic path, with a toy
# mechanism the suite registers itself.
check_PROGRAMS += tests/test_codec

# Lengths on the wire against the fields they land in (hostile input).
check_PROGRAMS += tests/test_wire_limits
tests_test_wire_limits_SOURCES = tests/test_wire_limits.c \
	tests/raw_zmtp.c tests/raw_zmtp.h tests/zap_handler.c tests/zap_handler.h
