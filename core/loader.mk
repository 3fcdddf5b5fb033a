# core: the plugin loader, with the registry, the search path and the
# services table plugins call (the public side is include/modzmq.h); its
# suites with the small plugins they load. Included by Makefile.am.
core_libmzcore_la_SOURCES += \
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
