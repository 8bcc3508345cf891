"""moto server, answering one request at a time.

moto's TransactWriteItems backs up a deep copy of the whole table and restores it when a
transaction is cancelled; with requests served in parallel threads, that restore wipes out
transactions other threads committed meanwhile. Real DynamoDB transactions are atomic, and the
contract tests race many of them on purpose, so the emulator must not lose writes: one request at
a time gives the isolation DynamoDB guarantees.

Usage: python moto_serial.py -H 127.0.0.1 -p PORT   (the same flags as moto_server)
"""

import moto.server
from werkzeug.serving import run_simple


def serial_run_simple(*args, **kwargs):
    kwargs["threaded"] = False
    return run_simple(*args, **kwargs)


moto.server.run_simple = serial_run_simple

if __name__ == "__main__":
    moto.server.main()
