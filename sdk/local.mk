# sdk: the plugin SDK's installed headers and pkg-config file, and the
# out-of-tree example plugin with the test that builds it against an
# installed SDK. Included by Makefile.am.

modzmqsdkdir = $(includedir)/modzmq
modzmqsdk_HEADERS = sdk/modzmq/plugin.h sdk/modzmq/transport.h \
	sdk/modzmq/mechanism.h sdk/modzmq/observer.h \
	sdk/modzmq/curve.h \
	sdk/modzmq/engine_transport.h
pkgconfig_DATA += sdk/modzmq-sdk.pc
sdkdocdir = $(docdir)/sdk
dist_sdkdoc_DATA = sdk/GUIDE.md

EXTRA_DIST += sdk/modzmq-sdk.pc.in \
	sdk/examples/Makefile \
	tests/check_sdk_example.sh

# The example is built by the test with its own Makefile, from an
# installation of the SDK in a scratch directory; the checker loads it.
# The checker is no test of its own: it is built through check_SCRIPTS,
# and only the script runs it.
EXTRA_PROGRAMS += tests/sdk_example_checker
tests_sdk_example_checker_SOURCES = tests/sdk_example_checker.c
tests_sdk_example_checker_LDADD = libzmq.la
check_SCRIPTS += tests/sdk_example_checker$(EXEEXT)
TESTS += tests/check_sdk_example.sh

# The same example, built in tree as a module, for the loader suite to
# drive each of its ops over real sockets.
check_LTLIBRARIES += tests/plugins/modzmq_unixstream.la
tests_plugins_modzmq_unixstream_la_SOURCES = sdk/examples/example_transport.c
tests_plugins_modzmq_unixstream_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
