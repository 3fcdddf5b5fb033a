# plugins/plain: the PLAIN security mechanism (RFC 24). Its suites, with
# the engine's ZAP, are core/zmtp/local.mk's. Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/plain/modzmq_plain.la
plugins_plain_modzmq_plain_la_SOURCES = \
	plugins/plain/plain.c plugins/plain/plain.h \
	plugins/plain/plain_client.c \
	plugins/plain/plain_server.c \
	sdk/modzmq/plugin.h sdk/modzmq/mechanism.h
plugins_plain_modzmq_plain_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_plain_modzmq_plain_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_plain_modzmq_plain_la_LDFLAGS = $(PLUGIN_LDFLAGS)
