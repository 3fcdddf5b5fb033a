# pyzmq's own test suite, file by file on libzmq 4.3.4 and on this build
# (tests/check_pyzmq.sh; it skips itself without pyzmq's tests, pytest or
# pytest-timeout). Included by Makefile.am.
TESTS += tests/check_pyzmq.sh
EXTRA_DIST += tests/check_pyzmq.sh tests/pyzmq_suite.py tests/pyzmq_library.py
