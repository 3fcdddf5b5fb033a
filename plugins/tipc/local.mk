# plugins/tipc: the tipc transport plugin (AF_TIPC). Its address parser is
# tested by tests/test_afsock_addresses, its traffic by tests/test_tipc
# (tests/local.mk). Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/tipc/modzmq_tipc.la
plugins_tipc_modzmq_tipc_la_SOURCES = \
	plugins/tipc/tipc.c \
	plugins/tipc/tipc_address.c plugins/tipc/tipc_address.h \
	$(STREAM_FD_SOURCES) \
	sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_tipc_modzmq_tipc_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS)
plugins_tipc_modzmq_tipc_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_tipc_modzmq_tipc_la_LDFLAGS = $(PLUGIN_LDFLAGS)
