"""A pytest plugin for tests/pyzmq_suite.py: before any test runs, writes
the libzmq files this process mapped (from /proc/self/maps, once pyzmq is
loaded) to the file MODZMQ_PYZMQ_MAPS names, so that the driver can prove
which library a run of pyzmq's tests was on."""

import os


def pytest_configure(config):
    import zmq

    zmq.zmq_version()
    with open("/proc/self/maps") as maps:
        mapped = sorted(
            {
                line.split()[-1]
                for line in maps
                if "/libzmq.so" in line and len(line.split()) >= 6
            }
        )
    with open(os.environ["MODZMQ_PYZMQ_MAPS"], "w") as out:
        out.write("".join(path + "\n" for path in mapped))
