"""A Modbus RTU serial line for the interop tests: pymodbus (3.0) serving RTU on one end of a pair of
pseudo-terminals, the console's driver opening the other end as its serial port.

Usage: /usr/bin/python3 pymodbus_serial.py <spec.json>

Two PTYs are made and their master sides relayed to each other, so what the console writes to its
"serial port" reaches pymodbus' serial port and back, byte for byte. The spec is the one
pymodbus_server.py reads, plus "serial": {"baudrate": 9600, "parity": "N", "stopbits": 2}
(pymodbus' own port settings). Prints one JSON line {"port": "/dev/pts/N"}: the console's end.
Each line "termios" on stdin answers one JSON line with the settings the console's end carries
now ({"dataBits": 8, "parityOdd": true, "stopBits": 2, "baudRate": 9600}), read with tcgetattr: what
the console's serial port options really set on the line.
"""
import json
import os
import sys
import termios
import threading
import tty

from pymodbus.server import StartSerialServer
from pymodbus.transaction import ModbusRtuFramer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pymodbus_server import context_from_spec  # noqa: E402

SPEEDS = {getattr(termios, f"B{b}"): b for b in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)}


def relay(src, dst):
    while True:
        try:
            data = os.read(src, 4096)
        except OSError:
            return
        if not data:
            return
        os.write(dst, data)


def settings(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        _iflag, _oflag, cflag, _lflag, ispeed, _ospeed, _cc = termios.tcgetattr(fd)
    finally:
        os.close(fd)
    size = cflag & termios.CSIZE
    return {
        "dataBits": {termios.CS5: 5, termios.CS6: 6, termios.CS7: 7, termios.CS8: 8}[size],
        # Linux clears PARENB on a PTY (it carries no parity bit) but keeps PARODD, so only odd
        # parity can be seen on this line: "parityOdd" is the flag as the port set it.
        "parityOdd": bool(cflag & termios.PARODD),
        "stopBits": 2 if cflag & termios.CSTOPB else 1,
        "baudRate": SPEEDS.get(ispeed, ispeed),
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    server_master, server_slave = os.openpty()
    console_master, console_slave = os.openpty()
    for fd in (server_slave, console_slave):
        tty.setraw(fd)
    server_path = os.ttyname(server_slave)
    console_path = os.ttyname(console_slave)
    threading.Thread(target=relay, args=(console_master, server_master), daemon=True).start()
    threading.Thread(target=relay, args=(server_master, console_master), daemon=True).start()

    def answer():
        for line in sys.stdin:
            if line.strip() == "termios":
                print(json.dumps(settings(console_path)), flush=True)

    threading.Thread(target=answer, daemon=True).start()
    print(json.dumps({"port": console_path}), flush=True)
    serial = spec.get("serial", {})
    StartSerialServer(
        context=context_from_spec(spec),
        framer=ModbusRtuFramer,
        port=server_path,
        baudrate=serial.get("baudrate", 19200),
        # Not "E"/"O" by default: pyserial then sets ISTRIP, and a PTY (which carries no parity bit)
        # would hand pymodbus every byte with its 8th bit cleared.
        parity=serial.get("parity", "N"),
        stopbits=serial.get("stopbits", 1),
        bytesize=8,
    )


if __name__ == "__main__":
    main()
