# tests: the suites that cross every layer. Included by Makefile.am after
# every area's fragment (the fault suite builds the tcp and ipc plugins'
# sources again).

# ---- stress and delivery ------------------------------------------------
# Scale, termination under traffic, peers killed mid-message, memory
# under high-water marks.
STRESS_HELPERS = tests/child.c tests/child.h \
	tests/resources.c tests/resources.h

check_PROGRAMS += tests/test_stress
tests_test_stress_SOURCES = tests/test_stress.c $(STRESS_HELPERS) \
	tests/raw_zmtp.c tests/raw_zmtp.h

# Delivery across reconnections, counted message by message.
check_PROGRAMS += tests/test_delivery
tests_test_delivery_SOURCES = tests/test_delivery.c $(STRESS_HELPERS) \
	tests/cut_proxy.c tests/cut_proxy.h

# ---- faults -------------------------------------------------------------
# The fd limit exhausted and memory allocation failing. The program links
# the core itself with its allocations wrapped (tests/alloc_fail.c), and
# static copies of the tcp and ipc plugins (-dlpreopen) so that theirs
# are counted too. (The program links one copy of plugins/common's
# objects, which both static copies use.)
check_LTLIBRARIES += tests/faults/modzmq_tcp.la tests/faults/modzmq_ipc.la
tests_faults_modzmq_tcp_la_SOURCES = $(plugins_tcp_modzmq_tcp_la_SOURCES)
tests_faults_modzmq_tcp_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS) \
	-DMODZMQ_PLUGIN_MODULE=modzmq_tcp
tests_faults_modzmq_tcp_la_CFLAGS = $(COMMON_CFLAGS)
tests_faults_modzmq_tcp_la_LDFLAGS = -module -avoid-version -rpath /nowhere -static
tests_faults_modzmq_ipc_la_SOURCES = $(plugins_ipc_modzmq_ipc_la_SOURCES)
tests_faults_modzmq_ipc_la_CPPFLAGS = $(PLUGIN_CPPFLAGS) $(STREAM_FD_CPPFLAGS) \
	-DMODZMQ_PLUGIN_MODULE=modzmq_ipc
tests_faults_modzmq_ipc_la_CFLAGS = $(COMMON_CFLAGS)
tests_faults_modzmq_ipc_la_LDFLAGS = -module -avoid-version -rpath /nowhere -static

ALLOC_WRAPS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	-Wl,--wrap=strdup,--wrap=strndup,--wrap=aligned_alloc

check_PROGRAMS += tests/test_faults
tests_test_faults_SOURCES = tests/test_faults.c tests/alloc_fail.c \
	tests/alloc_fail.h $(STRESS_HELPERS) tests/raw_zmtp.c tests/raw_zmtp.h
tests_test_faults_LDFLAGS = $(ALLOC_WRAPS) \
	-dlpreopen tests/faults/modzmq_tcp.la -dlpreopen tests/faults/modzmq_ipc.la
tests_test_faults_LDADD = tests/libtestutil.la $(CORE_TEST_LIBS) $(LTDL_LIBS)
tests_test_faults_DEPENDENCIES = tests/faults/modzmq_tcp.la \
	tests/faults/modzmq_ipc.la tests/libtestutil.la core/libmzcore.la

# ---- security events ----------------------------------------------------
# The handshake events of PLAIN, CURVE and NULL with ZAP, both ends
# monitored, held against libzmq 4.3.4 in pyzmq peers (tests/peer.c).
check_PROGRAMS += tests/test_security_events
tests_test_security_events_SOURCES = tests/test_security_events.c \
	tests/peer.c tests/peer.h tests/zap_handler.c tests/zap_handler.h

# ---- pyzmq --------------------------------------------------------------
# pyzmq's own test suite, file by file on libzmq 4.3.4 and on this build
# (it skips itself without pyzmq's tests, pytest or pytest-timeout).
TESTS += tests/check_pyzmq.sh
EXTRA_DIST += tests/check_pyzmq.sh tests/pyzmq_suite.py tests/pyzmq_library.py

# ---- libzmq 4.3.5 with the draft API ------------------------------------
# The thread-safe types' reference peers: libzmq 4.3.5 with the draft
# API, statically linked in the addon of the npm package zeromq 6, driven
# by tests/peers/zmq_draft_peer.js under Node.js (tests/draft_peer.c).
# tools/install-deps.sh installs the package (tests/peers/node, its
# versions pinned by package-lock.json) into the source tree; a build
# tree of its own (make distcheck) installs a copy from npm's cache,
# offline. Without node or the package the suite fails, saying why.
check_PROGRAMS += tests/test_draft_interop
tests_test_draft_interop_SOURCES = tests/test_draft_interop.c \
	tests/draft_peer.c tests/draft_peer.h tests/peer.c tests/peer.h
# modzmq's own draft types against the same peers.
check_PROGRAMS += tests/test_draft_pairs
tests_test_draft_pairs_SOURCES = tests/test_draft_pairs.c \
	tests/draft_peer.c tests/draft_peer.h tests/peer.c tests/peer.h
EXTRA_DIST += tests/peers/zmq_draft_peer.js \
	tests/peers/node/package.json tests/peers/node/package-lock.json

# npm writes node_modules/.package-lock.json when it has installed.
DRAFT_PEER_PACKAGE = tests/peers/node/node_modules/.package-lock.json
check_SCRIPTS += $(DRAFT_PEER_PACKAGE)
# Not fatal: the other suites run without it, and this one says what is
# missing.
$(DRAFT_PEER_PACKAGE): $(srcdir)/tests/peers/node/package-lock.json
	@if test -f $(srcdir)/$(DRAFT_PEER_PACKAGE); then \
	  exit 0; \
	elif command -v npm >/dev/null; then \
	  $(MKDIR_P) tests/peers/node && \
	  { test "$(srcdir)" = . || \
	    cp $(srcdir)/tests/peers/node/package.json \
	       $(srcdir)/tests/peers/node/package-lock.json tests/peers/node/; } && \
	  (cd tests/peers/node && npm ci --offline --ignore-scripts \
	     --no-audit --no-fund --loglevel=error) || \
	  echo "warning: zeromq for the draft peer not installed from npm's" \
	       "cache (tools/install-deps.sh installs it)"; \
	else \
	  echo "warning: no npm: tools/install-deps.sh installs Node.js"; \
	fi

# Only a copy in a build tree is removed: the source tree's is
# tools/install-deps.sh's.
clean-local: clean-draft-peer
clean-draft-peer:
	test "$(srcdir)" = . || rm -rf tests/peers/node
.PHONY: clean-draft-peer

# The tipc, vsock and vmci plugins: what needs no traffic (their parsers
# compiled in, the VMCI options, the API's refusals), on every kernel;
# then the traffic, which skips (77) on a kernel without TIPC or without
# a vsock loopback transport.
check_PROGRAMS += tests/test_afsock_addresses
tests_test_afsock_addresses_SOURCES = tests/test_afsock_addresses.c \
	tests/transport_harness.c tests/transport_harness.h \
	plugins/tipc/tipc_address.c plugins/tipc/tipc_address.h \
	plugins/vsock/vsock_address.c plugins/vsock/vsock_address.h \
	plugins/vmci/vmci_options.c plugins/vmci/vmci_options.h
tests_test_afsock_addresses_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/tipc -I$(top_srcdir)/plugins/vsock \
	-I$(top_srcdir)/plugins/vmci \
	-DTIPC_MODULE_PATH='"$(abs_top_builddir)/plugins/tipc/.libs/modzmq_tipc.so"' \
	-DVSOCK_MODULE_PATH='"$(abs_top_builddir)/plugins/vsock/.libs/modzmq_vsock.so"' \
	-DVMCI_MODULE_PATH='"$(abs_top_builddir)/plugins/vmci/.libs/modzmq_vmci.so"'
tests_test_afsock_addresses_LDADD = $(LDADD) -ldl
check_PROGRAMS += tests/test_tipc
tests_test_tipc_SOURCES = tests/test_tipc.c tests/peer.c tests/peer.h
check_PROGRAMS += tests/test_vsock
tests_test_vsock_SOURCES = tests/test_vsock.c
# ---- the command-line tool ----------------------------------------------
# cli/modzmq run as a subprocess against libzmq 4.3.4 peers (tests/peer.c).
check_PROGRAMS += tests/test_cli
tests_test_cli_SOURCES = tests/test_cli.c tests/peer.c tests/peer.h
tests_test_cli_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMODZMQ_TOOL='"$(abs_top_builddir)/cli/modzmq"' \
	-DTEST_PLUGIN_DIR='"$(abs_top_builddir)/tests/plugins/.libs"'
tests_test_cli_DEPENDENCIES = cli/modzmq $(LDADD)
