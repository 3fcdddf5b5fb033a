# perf: throughput, latency, handshake and matching tools, and
# perf/compare.sh, which runs them on modzmq and on the system's libzmq.
# Built with make, never installed. The real binaries land in perf/.libs/
# (the perf/ ones are libtool wrappers); compare.sh runs the real ones so
# that LD_LIBRARY_PATH alone chooses the library. Included by Makefile.am.
noinst_PROGRAMS += perf/thr perf/lat perf/handshake perf/raw_tcp_thr perf/sub_match
perf_thr_SOURCES = perf/thr.c perf/perf_curve.h perf/perf_util.h perf/perf_zmq.h
perf_thr_LDADD = libzmq.la
perf_lat_SOURCES = perf/lat.c perf/perf_curve.h perf/perf_util.h perf/perf_zmq.h
perf_lat_LDADD = libzmq.la
# Connections per second, with CURVE or NULL (compare.sh --curve).
perf_handshake_SOURCES = perf/handshake.c perf/perf_curve.h perf/perf_util.h perf/perf_zmq.h
perf_handshake_LDADD = libzmq.la
perf_sub_match_SOURCES = perf/sub_match.c perf/perf_util.h perf/perf_zmq.h
perf_sub_match_LDADD = libzmq.la
# Plain loopback TCP, the ceiling: no zmq at all.
perf_raw_tcp_thr_SOURCES = perf/raw_tcp_thr.c perf/perf_util.h
perf_raw_tcp_thr_LDADD =
EXTRA_DIST += perf/compare.sh
