// The demo plant's Modbus register map (the "PLC's" documented I/O list): boiler and packaging
// line. Offsets are 0-based protocol offsets; the site file uses Modicon notation (40001 = holding 0).
import type { ModbusDataType } from '../drivers/modbus/codec.js';

export interface ModbusPoint {
  path: string;
  table: 'coil' | 'holding';
  offset: number;
  type: ModbusDataType;
}

export const PLANT_MODBUS_MAP: readonly ModbusPoint[] = [
  { path: 'Utilities/Boiler1/Running', table: 'coil', offset: 0, type: 'bool' },
  { path: 'Production/Line1/Running', table: 'coil', offset: 1, type: 'bool' },
  { path: 'Utilities/Boiler1/SteamPressureSetpoint', table: 'holding', offset: 0, type: 'float32' },
  { path: 'Utilities/Boiler1/SteamPressure', table: 'holding', offset: 2, type: 'float32' },
  { path: 'Utilities/Boiler1/SteamFlow', table: 'holding', offset: 4, type: 'float32' },
  { path: 'Utilities/Boiler1/FuelFlow', table: 'holding', offset: 6, type: 'float32' },
  { path: 'Utilities/Boiler1/FeedwaterFlow', table: 'holding', offset: 8, type: 'float32' },
  { path: 'Utilities/Boiler1/DrumLevel', table: 'holding', offset: 10, type: 'float32' },
  { path: 'Utilities/Boiler1/FlueGasTemp', table: 'holding', offset: 12, type: 'float32' },
  { path: 'Utilities/Boiler1/FlueGasO2', table: 'holding', offset: 14, type: 'float32' },
  { path: 'Utilities/Boiler1/Power', table: 'holding', offset: 16, type: 'float32' },
  { path: 'Utilities/Boiler1/FuelTotal', table: 'holding', offset: 18, type: 'float64' },
  { path: 'Utilities/Boiler1/WaterTotal', table: 'holding', offset: 22, type: 'float64' },
  { path: 'Utilities/Boiler1/EnergyTotal', table: 'holding', offset: 26, type: 'float64' },
  { path: 'Production/Line1/UnitsProduced', table: 'holding', offset: 100, type: 'uint32' },
  { path: 'Production/Line1/Rate', table: 'holding', offset: 102, type: 'float32' },
  { path: 'Production/Line1/Power', table: 'holding', offset: 104, type: 'float32' },
  { path: 'Production/Line1/EnergyTotal', table: 'holding', offset: 106, type: 'float64' },
];
