# plugins/stats: the observer that serves every socket's counters to
# `modzmq top` on a local endpoint (MODZMQ_OBSERVERS=stats). It calls no
# zmq function, so it links nothing of libzmq. Its suite is tests/test_cli.
# Included by Makefile.am.
pkglib_LTLIBRARIES += plugins/stats/modzmq_stats.la
plugins_stats_modzmq_stats_la_SOURCES = plugins/stats/stats.c \
	sdk/modzmq/plugin.h sdk/modzmq/observer.h
plugins_stats_modzmq_stats_la_CPPFLAGS = $(PLUGIN_CPPFLAGS)
plugins_stats_modzmq_stats_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_stats_modzmq_stats_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_stats_modzmq_stats_la_LIBADD = -lpthread
