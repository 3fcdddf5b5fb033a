# plugins/plain: the PLAIN security mechanism (RFC 24), a libtool module
# installed in $(pkglibdir) next to the transports. Only the SDK headers and
# zmq.h are visible to it, never core/. Its suites (and the engine's ZAP)
# live in security.mk.
pkglib_LTLIBRARIES += plugins/plain/modzmq_plain.la
plugins_plain_modzmq_plain_la_SOURCES = \
	plugins/plain/plain.c plugins/plain/plain.h \
	plugins/plain/plain_client.c \
	plugins/plain/plain_server.c \
	sdk/modzmq/plugin.h sdk/modzmq/mechanism.h
plugins_plain_modzmq_plain_la_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/include -D_GNU_SOURCE
plugins_plain_modzmq_plain_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
plugins_plain_modzmq_plain_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined

# Every suite finds the PLAIN plugin of this build tree too.
AM_TESTS_ENVIRONMENT += \
	MODZMQ_PLUGIN_PATH=$$MODZMQ_PLUGIN_PATH:$(abs_top_builddir)/plugins/plain/.libs; \
	export MODZMQ_PLUGIN_PATH;
