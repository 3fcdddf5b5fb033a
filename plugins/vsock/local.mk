# plugins/vsock: the vsock transport plugin (AF_VSOCK). It owns the
# AF_VSOCK address and transport code that plugins/vmci compiles into its
# module too. Tested by tests/test_afsock_addresses and tests/test_vsock
# (tests/local.mk). Included by Makefile.am.
VSOCK_SHARED_SOURCES = \
	plugins/vsock/vsock_address.c plugins/vsock/vsock_address.h \
	plugins/vsock/vsock_transport.c plugins/vsock/vsock_transport.h \
	$(STREAM_FD_SOURCES)
pkglib_LTLIBRARIES += plugins/vsock/modzmq_vsock.la
plugins_vsock_modzmq_vsock_la_SOURCES = plugins/vsock/vsock.c \
	$(VSOCK_SHARED_SOURCES) sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_vsock_modzmq_vsock_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS)
plugins_vsock_modzmq_vsock_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_vsock_modzmq_vsock_la_LDFLAGS = $(PLUGIN_LDFLAGS)
