# Security in the core (issue 5): plugin mechanisms in the engine, ZAP,
# the property blocks they share; and the suites for them and the PLAIN
# plugin (plugins/plain/local.mk builds the plugin). Included by
# Makefile.am.
core_libmzcore_la_SOURCES += \
	core/zmtp/mechanism.c core/zmtp/mechanism.h \
	core/zmtp/zap.c core/zmtp/zap.h \
	core/zmtp/zmtp_properties.c core/zmtp/zmtp_properties.h

# The engine with the PLAIN plugin, below the socket layer.
core_tests += tests/test_mechanism
tests_test_mechanism_CFLAGS = $(TEST_CFLAGS)
tests_test_mechanism_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)

# PLAIN and ZAP through the API, with a ZAP handler thread of the test.
api_tests += tests/test_plain
tests_test_plain_SOURCES = tests/test_plain.c \
	tests/zap_handler.c tests/zap_handler.h
tests_test_plain_CFLAGS = $(TEST_CFLAGS)
tests_test_plain_LDADD = $(API_TEST_LIBS)

# PLAIN and ZAP against libzmq 4.3 in a pyzmq process (tests/peer.c).
api_tests += tests/test_plain_interop
tests_test_plain_interop_SOURCES = tests/test_plain_interop.c \
	tests/peer.c tests/peer.h tests/zap_handler.c tests/zap_handler.h
tests_test_plain_interop_CFLAGS = $(TEST_CFLAGS)
tests_test_plain_interop_LDADD = $(API_TEST_LIBS)

# A mechanism's encode/decode hooks on the traffic path, with a toy
# mechanism the suite registers itself.
api_tests += tests/test_codec
tests_test_codec_CFLAGS = $(TEST_CFLAGS)
tests_test_codec_LDADD = $(API_TEST_LIBS)

# Lengths on the wire against the fields they land in (hostile input).
api_tests += tests/test_wire_limits
tests_test_wire_limits_SOURCES = tests/test_wire_limits.c \
	tests/raw_zmtp.c tests/raw_zmtp.h tests/zap_handler.c tests/zap_handler.h
tests_test_wire_limits_CFLAGS = $(TEST_CFLAGS)
tests_test_wire_limits_LDADD = $(API_TEST_LIBS)
