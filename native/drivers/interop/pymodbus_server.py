"""A Modbus TCP server for the interop tests, built on Debian's python3-pymodbus (3.0).

Usage: /usr/bin/python3 pymodbus_server.py <port> <spec.json>

spec.json: {"points": [{"offset": 0, "type": "float32", "order": "CDAB", "value": 1.5}, ...],
            "ramp": {"start": 200, "count": 2000},
            "input": [...], "coils": [true, false, ...], "discrete": [...],
            "holes": [107], "units": [1], "framer": "rtu"}
"holes": holding offsets missing from the map (a read that covers one answers exception 2, as a
device with gaps in its register map does). "units": the only unit ids served (others get no
answer at all); without it every unit id is answered. "framer": "rtu" serves RTU frames (with CRC)
over the TCP socket, as a serial-to-Ethernet converter does; the default is Modbus TCP (MBAP).
Holding-register points are packed by pymodbus' own BinaryPayloadBuilder, so the values the
console decodes were encoded by an independent implementation. Addresses are 0-based (zero_mode).
"""
import json
import sys

from pymodbus.constants import Endian
from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
    ModbusSparseDataBlock,
)
from pymodbus.payload import BinaryPayloadBuilder
from pymodbus.server import StartTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

ORDERS = {
    "ABCD": (Endian.Big, Endian.Big),
    "CDAB": (Endian.Big, Endian.Little),
    "BADC": (Endian.Little, Endian.Big),
    "DCBA": (Endian.Little, Endian.Little),
}


def registers(point):
    byteorder, wordorder = ORDERS[point["order"]]
    b = BinaryPayloadBuilder(byteorder=byteorder, wordorder=wordorder)
    kind, value = point["type"], point["value"]
    if kind == "int16":
        b.add_16bit_int(value)
    elif kind == "uint16":
        b.add_16bit_uint(value)
    elif kind == "int32":
        b.add_32bit_int(value)
    elif kind == "uint32":
        b.add_32bit_uint(value)
    elif kind == "float32":
        b.add_32bit_float(value)
    elif kind == "float64":
        b.add_64bit_float(value)
    elif kind == "string":
        b.add_string(value.ljust(point["length"], "\0"))
    else:
        raise ValueError(kind)
    return b.to_registers()


def context_from_spec(spec):
    """The server context a spec describes (shared with pymodbus_serial.py)."""
    holding = [0] * 4000
    for p in spec.get("points", []):
        regs = registers(p)
        holding[p["offset"] : p["offset"] + len(regs)] = regs
    ramp = spec.get("ramp")
    if ramp:
        for i in range(ramp["count"]):
            holding[ramp["start"] + i] = (ramp["start"] + i) & 0xFFFF
    inputs = spec.get("input", []) + [0] * 100
    coils = spec.get("coils", []) + [False] * 100
    discrete = spec.get("discrete", []) + [False] * 100
    holes = set(spec.get("holes", []))
    if holes:
        hr = ModbusSparseDataBlock({i: v for i, v in enumerate(holding) if i not in holes})
    else:
        hr = ModbusSequentialDataBlock(0, holding)
    slave = ModbusSlaveContext(
        hr=hr,
        ir=ModbusSequentialDataBlock(0, inputs),
        co=ModbusSequentialDataBlock(0, coils),
        di=ModbusSequentialDataBlock(0, discrete),
        zero_mode=True,
    )
    units = spec.get("units")
    if units:
        return ModbusServerContext(slaves={u: slave for u in units}, single=False)
    return ModbusServerContext(slaves=slave, single=True)


def main():
    port = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        spec = json.load(f)
    context = context_from_spec(spec)
    print("ready", flush=True)
    # Reuse the address: a restarted server must bind while the killed one's connections sit in TIME_WAIT.
    StartTcpServer(
        context=context,
        address=("127.0.0.1", port),
        allow_reuse_address=True,
        framer=ModbusRtuFramer if spec.get("framer") == "rtu" else ModbusSocketFramer,
    )


if __name__ == "__main__":
    main()
