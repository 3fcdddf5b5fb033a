# plugins/vmci: the vmci transport plugin: the AF_VSOCK transport that
# plugins/vsock owns (its sources compiled in here too) under the "vmci"
# scheme, with the ZMQ_VMCI_* options. Included by Makefile.am after
# plugins/vsock/local.mk.
pkglib_LTLIBRARIES += plugins/vmci/modzmq_vmci.la
plugins_vmci_modzmq_vmci_la_SOURCES = plugins/vmci/vmci.c \
	plugins/vmci/vmci_options.c plugins/vmci/vmci_options.h \
	$(VSOCK_SHARED_SOURCES) sdk/modzmq/plugin.h sdk/modzmq/transport.h
plugins_vmci_modzmq_vmci_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) \
	-I$(top_srcdir)/plugins/vsock $(STREAM_FD_CPPFLAGS)
plugins_vmci_modzmq_vmci_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_vmci_modzmq_vmci_la_LDFLAGS = $(PLUGIN_LDFLAGS)
