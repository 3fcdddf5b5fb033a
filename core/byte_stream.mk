# Byte streams (sdk/modzmq/stream.h): the core's side of a transport's
# stream_open, the example transport that uses it, built out of tree, and
# the test that carries ZMTP through it. Included by Makefile.am after
# sdk/local.mk.

modzmqsdk_HEADERS += sdk/modzmq/stream.h
core_libmzcore_la_SOURCES += core/byte_stream.c core/byte_stream.h

# Built like the SDK example's checker (check_SCRIPTS, see sdk/local.mk).
EXTRA_PROGRAMS += tests/stream_hook_checker
tests_stream_hook_checker_SOURCES = tests/stream_hook_checker.c
tests_stream_hook_checker_LDADD = libzmq.la
check_SCRIPTS += tests/stream_hook_checker$(EXEEXT)
TESTS += tests/check_sdk_stream.sh
EXTRA_DIST += tests/check_sdk_stream.sh sdk/examples/example_xor_stream.c
