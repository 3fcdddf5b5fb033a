# plugins/monitor: zmq_socket_monitor as an observer of the event bus, a
# libtool module installed in $(pkglibdir) beside the transports. It sees
# the SDK headers and zmq.h, never core/, and links the library whose
# sockets it sends events on.
pkglib_LTLIBRARIES += plugins/monitor/modzmq_monitor.la
plugins_monitor_modzmq_monitor_la_SOURCES = plugins/monitor/monitor.c \
	sdk/modzmq/plugin.h sdk/modzmq/observer.h
plugins_monitor_modzmq_monitor_la_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/include -D_GNU_SOURCE
plugins_monitor_modzmq_monitor_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
plugins_monitor_modzmq_monitor_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined
plugins_monitor_modzmq_monitor_la_LIBADD = libzmq.la
