# The stress and delivery suites (issue 10, item 2): scale, termination under traffic,
# peers killed mid-message, memory under high-water marks. Included by
# Makefile.am.
STRESS_HELPERS = tests/child.c tests/child.h \
	tests/resources.c tests/resources.h

check_PROGRAMS += tests/test_stress
tests_test_stress_SOURCES = tests/test_stress.c $(STRESS_HELPERS) \
	tests/raw_zmtp.c tests/raw_zmtp.h
tests_test_stress_CFLAGS = $(TEST_CFLAGS)
tests_test_stress_LDADD = $(API_TEST_LIBS)

# Delivery across reconnections, counted message by message.
check_PROGRAMS += tests/test_delivery
tests_test_delivery_SOURCES = tests/test_delivery.c $(STRESS_HELPERS) \
	tests/cut_proxy.c tests/cut_proxy.h
tests_test_delivery_CFLAGS = $(TEST_CFLAGS)
tests_test_delivery_LDADD = $(API_TEST_LIBS)
