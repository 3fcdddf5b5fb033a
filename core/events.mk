# core: the event bus, the events of pipes and the per-peer counters,
# zmq_socket_monitor's entry points, and their suites. Included by
# Makefile.am.
core_libmzcore_la_SOURCES += \
	core/event_bus.c core/event_bus.h \
	core/fd_endpoint.c core/fd_endpoint.h \
	core/pipe_events.c \
	core/socket_counters.c \
	core/socket_monitor.c

# The seeds' monitoring example on libzmq and on modzmq, through pyzmq.
TESTS += tests/check_monitor_seed.sh
EXTRA_DIST += tests/check_monitor_seed.sh tests/monitor_seed.py

# The monitor suite runs with the monitor plugin of this build
# (MODZMQ_PLUGIN_PATH in Makefile.am).
check_PROGRAMS += tests/test_monitor

# The same without the monitor plugin: only the tcp plugin on the path.
check_PROGRAMS += tests/test_monitor_missing
tests_test_monitor_missing_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMISSING_PLUGIN_DIR='"$(abs_top_builddir)/plugins/tcp/.libs"'

# The example observer, built out of tree against the installed SDK and
# loaded with MODZMQ_OBSERVERS; the checker is built like the SDK
# example's (check_SCRIPTS, see sdk/local.mk).
EXTRA_PROGRAMS += tests/observer_checker
tests_observer_checker_SOURCES = tests/observer_checker.c
tests_observer_checker_LDADD = libzmq.la
check_SCRIPTS += tests/observer_checker$(EXEEXT)
TESTS += tests/check_sdk_observer.sh
EXTRA_DIST += tests/check_sdk_observer.sh sdk/examples/example_observer.c
