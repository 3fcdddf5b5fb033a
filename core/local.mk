# core: the base of the library (the API's entry points, contexts, the
# socket base and its options, messages, queues, pipes and mailboxes, the
# reactor and its I/O threads, inproc, polling, the proxy, utilities),
# and the suites that test it. Included by Makefile.am; the other areas
# of core/ have their own fragments.
core_libmzcore_la_SOURCES += \
	core/api.c \
	core/atomic_counter.c \
	core/buffer_cache.c core/buffer_cache.h \
	core/clock.c core/clock.h \
	core/ctx.c core/ctx.h \
	core/errors.c \
	core/inproc.c core/inproc.h \
	core/iothread.c core/iothread.h \
	core/mailbox.c core/mailbox.h core/wakeup.h \
	core/msg.c core/msg.h \
	core/options.c core/options.h \
	core/pipe.c core/pipe.h \
	core/pipe_set.c core/pipe_set.h \
	core/poll.c core/polling.h \
	core/poller.c \
	core/proxy.c \
	core/queue.c core/queue.h \
	core/reactor.c core/reactor.h \
	core/socket.c core/socket.h core/socket_internal.h \
	core/socket_guard.c \
	core/futex_lock.c core/futex_lock.h \
	core/stopwatch.c \
	core/thread.c core/thread.h \
	core/timers.c \
	core/curve_keys.c \
	core/version.c \
	core/z85.c

# Through the API.
check_PROGRAMS += \
	tests/test_constants \
	tests/test_z85 \
	tests/test_timers \
	tests/test_atomic_counter \
	tests/test_options \
	tests/test_msg \
	tests/test_ctx \
	tests/test_inproc \
	tests/test_hwm \
	tests/test_poll \
	tests/test_poller \
	tests/test_proxy \
	tests/test_bad_input

# The internals, linked directly.
check_PROGRAMS += tests/test_utils tests/test_reactor
tests_test_utils_LDADD = $(CORE_TEST_LIBS)
tests_test_reactor_LDADD = $(CORE_TEST_LIBS)

# zmq.h against the system's libzmq header, and our exports against its
# library.
TESTS += tests/check_header_values.sh tests/check_exports.sh
EXTRA_DIST += tests/check_header_values.sh tests/check_exports.sh
