# core: the ZMTP engine (issue 3, item 3), included by Makefile.am.
core_libmzcore_la_SOURCES += \
	core/zmtp/engine.c core/zmtp/engine.h \
	core/zmtp/null_mechanism.c core/zmtp/null_mechanism.h \
	core/zmtp/peer_metadata.c core/zmtp/peer_metadata.h \
	core/zmtp/recv_buffer.c core/zmtp/recv_buffer.h \
	core/zmtp/socket_compat.c core/zmtp/socket_compat.h \
	core/zmtp/zmtp_command.c core/zmtp/zmtp_command.h \
	core/zmtp/zmtp_decoder.c core/zmtp/zmtp_decoder.h \
	core/zmtp/zmtp_encoder.c core/zmtp/zmtp_encoder.h \
	core/zmtp/zmtp_greeting.c core/zmtp/zmtp_greeting.h

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
