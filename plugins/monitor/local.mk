# plugins/monitor: zmq_socket_monitor as an observer of the event bus. It
# links the library whose sockets it sends events on. Its suites are
# core/events.mk's. Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/monitor/modzmq_monitor.la
plugins_monitor_modzmq_monitor_la_SOURCES = plugins/monitor/monitor.c \
	sdk/modzmq/plugin.h sdk/modzmq/observer.h
plugins_monitor_modzmq_monitor_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_monitor_modzmq_monitor_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_monitor_modzmq_monitor_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_monitor_modzmq_monitor_la_LIBADD = libzmq.la
