# core: the ZMTP engine (issue 3, item 3), included by Makefile.am.
core_libmzcore_la_SOURCES += \
	core/engine.c core/engine.h \
	core/null_mechanism.c core/null_mechanism.h \
	core/peer_metadata.c core/peer_metadata.h \
	core/recv_buffer.c core/recv_buffer.h \
	core/socket_compat.c core/socket_compat.h \
	core/zmtp_command.c core/zmtp_command.h \
	core/zmtp_decoder.c core/zmtp_decoder.h \
	core/zmtp_encoder.c core/zmtp_encoder.h \
	core/zmtp_greeting.c core/zmtp_greeting.h

core_tests += tests/test_engine
tests_test_engine_CFLAGS = $(TEST_CFLAGS)
tests_test_engine_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)
EXTRA_DIST += tests/peers/zmtp_peer.py

# A socket with nothing to do uses no CPU, in every state a connection can
# be left in.
api_tests += tests/test_idle_cpu
tests_test_idle_cpu_SOURCES = tests/test_idle_cpu.c tests/raw_zmtp.c tests/raw_zmtp.h
tests_test_idle_cpu_CFLAGS = $(TEST_CFLAGS)
tests_test_idle_cpu_LDADD = $(API_TEST_LIBS)
