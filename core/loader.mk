# core: the plugin loader, with the registry, the search path and the
# services table plugins call (the public side is include/modzmq.h); its
# suites with the small plugins they load. Included by Makefile.am.
core_libmzcore_la_SOURCES += \
	core/plugin_abi.c core/plugin_abi.h \
	core/plugin_loader.c core/plugin_loader.h \
	core/plugin_path.c core/plugin_path.h \
	core/plugin_services.c core/plugin_services.h

# ---- test plugins (TEST_PLUGIN_LDFLAGS: never installed) ---------------
check_LTLIBRARIES += \
	tests/plugins/modzmq_loopcheck.la \
	tests/plugins/modzmq_badabi.la \
	tests/plugins/modzmq_small.la \
	tests/plugins/modzmq_noentry.la \
	tests/plugins/modzmq_initfail.la \
	tests/plugins/modzmq_multi.la
tests_plugins_modzmq_loopcheck_la_SOURCES = tests/plugins/loopcheck.c $(TEST_PLUGIN_COMMON)
tests_plugins_modzmq_loopcheck_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_modzmq_badabi_la_SOURCES = tests/plugins/badabi.c $(TEST_PLUGIN_COMMON)
tests_plugins_modzmq_badabi_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_modzmq_small_la_SOURCES = tests/plugins/small.c tests/plugins/parse_only.h
tests_plugins_modzmq_small_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_modzmq_noentry_la_SOURCES = tests/plugins/noentry.c tests/plugins/parse_only.h
tests_plugins_modzmq_noentry_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_modzmq_initfail_la_SOURCES = tests/plugins/initfail.c $(TEST_PLUGIN_COMMON)
tests_plugins_modzmq_initfail_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_modzmq_multi_la_SOURCES = tests/plugins/multi.c $(TEST_PLUGIN_COMMON)
tests_plugins_modzmq_multi_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
TEST_PLUGIN_COMMON = tests/plugins/parse_only.c tests/plugins/parse_only.h

# ---- the loader suite -------------------------------------------------
check_PROGRAMS += tests/test_loader
tests_test_loader_SOURCES = tests/test_loader.c $(TEST_PLUGIN_COMMON)
tests_test_loader_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTEST_PLUGIN_DIR='"$(abs_top_builddir)/tests/plugins/.libs"'
tests_test_loader_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS)

# ---- a plugin linked in with libtool -dlpreopen -------------------------
# The module is a static archive only (-static) so that libtool can link
# it into the program and list its symbols there; it lives apart from
# tests/plugins, whose modules the loader suite scans.
check_LTLIBRARIES += tests/preload/modzmq_preloaded.la
tests_preload_modzmq_preloaded_la_SOURCES = tests/preload/preloaded.c \
	$(TEST_PLUGIN_COMMON)
tests_preload_modzmq_preloaded_la_LDFLAGS = -module -avoid-version -rpath /nowhere -static
check_PROGRAMS += tests/test_preload
tests_test_preload_SOURCES = tests/test_preload.c
tests_test_preload_LDFLAGS = -dlpreopen tests/preload/modzmq_preloaded.la
tests_test_preload_LDADD = $(LDADD) $(LTDL_LIBS)
tests_test_preload_DEPENDENCIES = tests/preload/modzmq_preloaded.la \
	$(LDADD)

# ---- plugins built against the frozen SDK 1.0, 1.1 and 1.2 headers ----
# Each sees only its release's headers (tests/sdk-fixtures/<release>) and
# zmq.h, as a plugin built then did; they live apart from tests/plugins,
# whose modules the loader suite scans.
FIXTURE_CPPFLAGS = -I$(top_srcdir)/include -D_GNU_SOURCE
check_LTLIBRARIES += \
	tests/sdk-fixtures/plugins/modzmq_fixture10.la \
	tests/sdk-fixtures/plugins/modzmq_fixture11.la \
	tests/sdk-fixtures/plugins/modzmq_fixture12.la \
	tests/sdk-fixtures/plugins/modzmq_fakecurve11.la \
	tests/sdk-fixtures/plugins/modzmq_unixpacket.la
tests_sdk_fixtures_plugins_modzmq_fixture10_la_SOURCES = sdk/examples/example_transport.c
tests_sdk_fixtures_plugins_modzmq_fixture10_la_CPPFLAGS = $(FIXTURE_CPPFLAGS) \
	-I$(top_srcdir)/tests/sdk-fixtures/1.0 -DSCHEME='"fixture10"'
tests_sdk_fixtures_plugins_modzmq_fixture10_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_sdk_fixtures_plugins_modzmq_fixture11_la_SOURCES = sdk/examples/example_transport.c
tests_sdk_fixtures_plugins_modzmq_fixture11_la_CPPFLAGS = $(FIXTURE_CPPFLAGS) \
	-I$(top_srcdir)/tests/sdk-fixtures/1.1 -DSCHEME='"fixture11"'
tests_sdk_fixtures_plugins_modzmq_fixture11_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_sdk_fixtures_plugins_modzmq_fixture12_la_SOURCES = sdk/examples/example_transport.c
tests_sdk_fixtures_plugins_modzmq_fixture12_la_CPPFLAGS = $(FIXTURE_CPPFLAGS) \
	-I$(top_srcdir)/tests/sdk-fixtures/1.2 -DSCHEME='"fixture12"'
tests_sdk_fixtures_plugins_modzmq_fixture12_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_sdk_fixtures_plugins_modzmq_fakecurve11_la_SOURCES = tests/sdk-fixtures/mechanism_1_1.c
tests_sdk_fixtures_plugins_modzmq_fakecurve11_la_CPPFLAGS = $(FIXTURE_CPPFLAGS) \
	-I$(top_srcdir)/tests/sdk-fixtures/1.1
tests_sdk_fixtures_plugins_modzmq_fakecurve11_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

# The own-engine example as SDK 1.1 shipped it (its frozen source).
tests_sdk_fixtures_plugins_modzmq_unixpacket_la_SOURCES = tests/sdk-fixtures/1.1/example_datagram.c
tests_sdk_fixtures_plugins_modzmq_unixpacket_la_CPPFLAGS = $(FIXTURE_CPPFLAGS) \
	-I$(top_srcdir)/tests/sdk-fixtures/1.1
tests_sdk_fixtures_plugins_modzmq_unixpacket_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

# Each release's table sizes, from its own headers, for the suite below.
check_LTLIBRARIES += tests/sdk-fixtures/libsizes10.la tests/sdk-fixtures/libsizes11.la \
	tests/sdk-fixtures/libsizes12.la
tests_sdk_fixtures_libsizes10_la_SOURCES = tests/sdk-fixtures/sizes.c tests/sdk-fixtures/sizes.h
tests_sdk_fixtures_libsizes10_la_CPPFLAGS = -I$(top_srcdir)/tests/sdk-fixtures/1.0 \
	-DFIXTURE_SIZES=fixture_sizes_1_0
tests_sdk_fixtures_libsizes11_la_SOURCES = tests/sdk-fixtures/sizes.c tests/sdk-fixtures/sizes.h
tests_sdk_fixtures_libsizes11_la_CPPFLAGS = -I$(top_srcdir)/tests/sdk-fixtures/1.1 \
	-DFIXTURE_SIZES=fixture_sizes_1_1
tests_sdk_fixtures_libsizes12_la_SOURCES = tests/sdk-fixtures/sizes.c tests/sdk-fixtures/sizes.h
tests_sdk_fixtures_libsizes12_la_CPPFLAGS = -I$(top_srcdir)/tests/sdk-fixtures/1.2 \
	-DFIXTURE_SIZES=fixture_sizes_1_2

check_PROGRAMS += tests/test_sdk_versions
tests_test_sdk_versions_SOURCES = tests/test_sdk_versions.c
tests_test_sdk_versions_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DFIXTURE_PLUGIN_DIR='"$(abs_top_builddir)/tests/sdk-fixtures/plugins/.libs"' \
	-DSDK_PC_FILE='"$(abs_top_builddir)/sdk/modzmq-sdk.pc"'
tests_test_sdk_versions_LDADD = tests/libtestutil.la \
	tests/sdk-fixtures/libsizes10.la tests/sdk-fixtures/libsizes11.la \
	tests/sdk-fixtures/libsizes12.la $(CORE_TEST_LIBS)
EXTRA_DIST += tests/sdk-fixtures/README.md \
	tests/sdk-fixtures/1.0/modzmq/plugin.h \
	tests/sdk-fixtures/1.0/modzmq/transport.h \
	tests/sdk-fixtures/1.1/modzmq/plugin.h \
	tests/sdk-fixtures/1.1/modzmq/transport.h \
	tests/sdk-fixtures/1.1/modzmq/mechanism.h \
	tests/sdk-fixtures/1.1/modzmq/observer.h \
	tests/sdk-fixtures/1.1/modzmq/engine_transport.h \
	tests/sdk-fixtures/1.2/modzmq/plugin.h \
	tests/sdk-fixtures/1.2/modzmq/transport.h \
	tests/sdk-fixtures/1.2/modzmq/stream.h \
	tests/sdk-fixtures/1.2/modzmq/mechanism.h \
	tests/sdk-fixtures/1.2/modzmq/curve.h \
	tests/sdk-fixtures/1.2/modzmq/observer.h \
	tests/sdk-fixtures/1.2/modzmq/engine_transport.h
