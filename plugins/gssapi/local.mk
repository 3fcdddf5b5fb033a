# plugins/gssapi: the GSSAPI mechanism plugin (RFC 38) over MIT Kerberos,
# built only when configure finds krb5-gssapi (its suite then skips,
# saying why), and its suite. Included by Makefile.am.
if HAVE_GSSAPI
pkglib_LTLIBRARIES += plugins/gssapi/modzmq_gssapi.la
plugins_gssapi_modzmq_gssapi_la_SOURCES = \
	plugins/gssapi/gssapi.c plugins/gssapi/gssapi_plugin.h \
	plugins/gssapi/gssapi_session.c plugins/gssapi/gssapi_session.h \
	plugins/gssapi/gssapi_protect.c \
	plugins/gssapi/gssapi_context.c plugins/gssapi/gssapi_context.h \
	plugins/gssapi/gssapi_wire.c plugins/gssapi/gssapi_wire.h \
	sdk/modzmq/plugin.h sdk/modzmq/mechanism.h
plugins_gssapi_modzmq_gssapi_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_gssapi_modzmq_gssapi_la_CFLAGS = $(PLUGIN_CFLAGS) $(GSSAPI_CFLAGS)
plugins_gssapi_modzmq_gssapi_la_LIBADD = $(GSSAPI_LIBS)
plugins_gssapi_modzmq_gssapi_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif

# The suite needs a Kerberos realm: tests/test_gssapi.sh runs it inside
# one made by tests/gssapi_realm.sh. The program itself is no test of its
# own (every check_PROGRAM is run as one), so make check builds it as a
# check script.
EXTRA_PROGRAMS += tests/test_gssapi
check_SCRIPTS += tests/test_gssapi$(EXEEXT)
tests_test_gssapi_SOURCES = tests/test_gssapi.c \
	tests/gssapi_harness.c tests/gssapi_harness.h \
	tests/fake_msg.c tests/fake_msg.h \
	tests/zmtp_stream.c tests/zmtp_stream.h \
	tests/peer.c tests/peer.h
tests_test_gssapi_CPPFLAGS = $(AM_CPPFLAGS) \
	-DGSSAPI_MODULE_PATH='"$(abs_top_builddir)/plugins/gssapi/.libs/modzmq_gssapi.so"'
tests_test_gssapi_LDADD = $(LDADD) -ldl
TESTS += tests/test_gssapi.sh
EXTRA_DIST += tests/test_gssapi.sh tests/gssapi_realm.sh tests/gssapi_lsan.supp
