# plugins/common: code that several plugins compile into their own
# modules (a plugin never links another). STREAM_FD_SOURCES: the
# byte-stream transports' system calls, in tcp, ipc, tipc, vsock, vmci
# and ws (through tcp's address code); their CPPFLAGS add
# STREAM_FD_CPPFLAGS. SINGLE_LINK_SOURCES: the
# connect and bind of the one-link own-engine transports, udp, pgm and
# norm; MESSAGES_IN_SOURCES: whole received messages to the socket
# (ASSEMBLY_SOURCES, the pure part, and delivery), pgm and norm; their
# CPPFLAGS add COMMON_CPPFLAGS. Included by Makefile.am before those
# plugins' local.mk.
STREAM_FD_SOURCES = \
	plugins/common/stream_fd.c plugins/common/stream_fd.h
STREAM_FD_CPPFLAGS = -I$(top_srcdir)/plugins/common
COMMON_CPPFLAGS = -I$(top_srcdir)/plugins/common
SINGLE_LINK_SOURCES = \
	plugins/common/single_link.c plugins/common/single_link.h
ASSEMBLY_SOURCES = \
	plugins/common/assembly.c plugins/common/assembly.h
MESSAGES_IN_SOURCES = $(ASSEMBLY_SOURCES) \
	plugins/common/delivery.c plugins/common/delivery.h
