# plugins/common: code that several plugins compile into their own
# modules (a plugin never links another). STREAM_FD_SOURCES: the
# byte-stream transports' system calls, in tcp, ipc, tipc, vsock,
# vmci and ws (through tcp's address code); their CPPFLAGS add STREAM_FD_CPPFLAGS. Included by Makefile.am
# before those plugins' local.mk.
STREAM_FD_SOURCES = \
	plugins/common/stream_fd.c plugins/common/stream_fd.h
STREAM_FD_CPPFLAGS = -I$(top_srcdir)/plugins/common
