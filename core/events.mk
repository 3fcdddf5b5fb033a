# The event bus in the core, zmq_socket_monitor's entry points, and their
# tests. Included by Makefile.am.
core_libmzcore_la_SOURCES += \
	core/event_bus.c core/event_bus.h \
	core/fd_endpoint.c core/fd_endpoint.h \
	core/socket_monitor.c

# The seeds' monitoring example on libzmq and on modzmq, through pyzmq.
TESTS += tests/check_monitor_seed.sh
EXTRA_DIST += tests/check_monitor_seed.sh tests/monitor_seed.py
