# The handshake events of PLAIN, CURVE and NULL with ZAP, both ends
# monitored, held against libzmq 4.3.4 in pyzmq peers (tests/peer.c).
# Included by Makefile.am; the suite needs the plain and curve plugins on
# MODZMQ_PLUGIN_PATH, which their local.mk files add.
api_tests += tests/test_security_events
tests_test_security_events_SOURCES = tests/test_security_events.c \
	tests/peer.c tests/peer.h tests/zap_handler.c tests/zap_handler.h
tests_test_security_events_CFLAGS = $(TEST_CFLAGS)
tests_test_security_events_LDADD = $(API_TEST_LIBS)
