# cli: the modzmq command-line tool (send, recv, monitor, keygen,
# plugins, top), linked against this build's libzmq only. Included by
# Makefile.am; its suite is tests/test_cli (tests/local.mk).
bin_PROGRAMS = cli/modzmq
cli_modzmq_SOURCES = cli/main.c \
	cli/options.c cli/options.h \
	cli/report.c cli/report.h \
	cli/endpoints.c cli/endpoints.h \
	cli/input.c cli/input.h \
	cli/output.c cli/output.h \
	cli/security.c cli/security.h \
	cli/progress.c cli/progress.h \
	cli/monitor.c cli/monitor.h \
	cli/transfer.c cli/transfer.h \
	cli/plugins.c cli/plugins.h \
	cli/top.c cli/top.h \
	cli/zap.c cli/zap.h
cli_modzmq_CFLAGS = $(COMMON_CFLAGS)
cli_modzmq_LDADD = libzmq.la
