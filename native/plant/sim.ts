// The demo plant's process: a deterministic simulation of a small site, stepped by wall-clock or
// simulated time. It is the "PLC program" behind the demo's OPC UA and Modbus servers; the console
// never reads it directly, only through those protocols.
//
// Site Demo:
//   PumpStation/Pump101, Pump102  centrifugal pumps in parallel (affinity laws, system curve).
//                                 Pump101's drive-end bearing wears over a cycle: vibration and
//                                 bearing temperature rise until a trip, then a repair resets it.
//                                 Each bearing runs healthy for `healthyS` before it starts to wear.
//   Utilities/Compressor1         air compressor with motor, load/unload on pressure band. An air
//                                 leak develops now and then and grows until it is fixed.
//   Utilities/Boiler1             steam boiler: fuel gas, feedwater, drum level, flue gas O2. Its
//                                 O2 probe drifts now and then until it is recalibrated.
//   Production/Line1              packaging line: counts units; drives compressed-air demand.
// Shift pattern (local hour): day 06–14 and evening 14–22 run the line, night runs base load only.
import { mulberry32 } from '../util/random.js';

export type SimValue = number | boolean;

export interface SimTag {
  /** Path below the site: Area/Machine/Tag. */
  path: string;
  unit: string;
  description: string;
  kind: 'analog' | 'bool' | 'counter';
  writable?: { min: number; max: number };
  range?: [number, number];
}

export interface PlantSimOptions {
  seed?: number;
  /** Start time, ms since epoch. */
  start: number;
  /** Length of Pump101's wear cycle from new bearing to trip, seconds. */
  wearCycleS?: number;
  /** Seconds a tripped pump stays down before the repair resets its bearing. */
  repairS?: number;
  /** Seconds the bearing runs without wear at the start, so the decline is seen to start. */
  healthyS?: number;
  /** Seconds a repaired bearing runs without wear (beds in) before the next wear cycle. */
  healthyAfterRepairS?: number;
  /** Fault schedule of the utilities; `false` keeps them healthy (the models' training runs). */
  faults?: boolean;
}

/**
 * The utilities' faults, as developing faults (not steps): a leak that grows until it is fixed and
 * a probe that drifts until it is recalibrated, each after a healthy stretch. Seconds from start.
 */
export const UTILITY_FAULTS = {
  /** Air leak: starts at `startS`, grows by `growth` Nm³/min per second, fixed after `lastsS`, again `everyS` later. */
  leak: { startS: 300, growth: 0.005, lastsS: 900, everyS: 1800 },
  /** O2 probe: reads high by a drift that grows by `growth` %-points per second, recalibrated after `lastsS`. */
  o2: { startS: 240, growth: 0.005, lastsS: 900, everyS: 1800 },
} as const;

/** Where in a fault's cycle `s` seconds after the start falls: seconds since it began, or null. */
function faultAge(f: { startS: number; lastsS: number; everyS: number }, s: number): number | null {
  if (s < f.startS) return null;
  const into = (s - f.startS) % f.everyS;
  return into < f.lastsS ? into : null;
}

const RHO_G = 1000 * 9.81;
const WARMUP_MS = 600_000;
const AMBIENT_C = 22;

interface PumpState {
  name: string;
  running: boolean;
  speedSp: number; // % of 2970 rpm
  speed: number; // rpm
  wear: number; // 0 new … 1 failed
  wearing: boolean;
  /** Running seconds left before the bearing starts to wear. */
  healthyLeft: number;
  trippedAt: number | null;
  bearingTemp: number;
  motorTemp: number;
  flow: number;
  head: number;
  power: number;
  vibration: number;
  energyKWh: number;
  volumeM3: number;
}

export class PlantSim {
  readonly tags: readonly SimTag[];
  private readonly rand: () => number;
  private readonly values = new Map<string, SimValue>();
  private readonly wearCycleS: number;
  private readonly repairS: number;
  private readonly healthyS: number;
  private readonly healthyAfterRepairS: number;
  private readonly faults: boolean;
  private t: number;
  private readonly startedAt: number;
  private readonly pumps: PumpState[];
  private comp = { running: true, pressureSp: 7.0, pressure: 6.8, loaded: true, energyKWh: 0, oilTemp: 55, dischargeTemp: 80, leak: 0 };
  private boiler = {
    running: true,
    pressureSp: 10,
    pressure: 9.6,
    level: 50,
    fuel: 0,
    steam: 0,
    flueTemp: 180,
    o2: 3.5,
    energyKWh: 0,
    fuelNm3: 0,
    waterM3: 0,
    o2Fault: 0,
  };
  private line = { running: false, units: 0, energyKWh: 0, rate: 0, unitFraction: 0 };
  private siteEnergyKWh = 250_000;

  constructor(opts: PlantSimOptions) {
    this.rand = mulberry32(opts.seed ?? 42);
    this.wearCycleS = opts.wearCycleS ?? 360;
    this.repairS = opts.repairS ?? 300;
    this.healthyS = opts.healthyS ?? 180;
    this.healthyAfterRepairS = opts.healthyAfterRepairS ?? 180;
    this.faults = opts.faults ?? true;
    this.t = opts.start;
    this.startedAt = opts.start;
    this.pumps = ['Pump101', 'Pump102'].map((name, i) => ({
      name,
      running: true,
      speedSp: i === 0 ? 85 : 80,
      speed: 0,
      wear: 0,
      wearing: i === 0,
      healthyLeft: 0,
      trippedAt: null,
      bearingTemp: 45,
      motorTemp: 60,
      flow: 0,
      head: 0,
      power: 0,
      vibration: 1.5,
      energyKWh: 10_000 + i * 2500,
      volumeM3: 50_000,
    }));
    this.tags = defineTags();
    this.line.running = this.shiftRunsLine(opts.start);
    // Start in steady state, as a plant that has been running: ten minutes of process without
    // bearing wear before the first value is served.
    this.t = opts.start - WARMUP_MS;
    const wearing = this.pumps.map((p) => p.wearing);
    for (const p of this.pumps) p.wearing = false;
    this.compute(0);
    this.step(opts.start);
    this.pumps.forEach((p, i) => {
      p.wearing = wearing[i] as boolean;
      p.healthyLeft = this.healthyS;
    });
  }

  get now(): number {
    return this.t;
  }

  /** Advance the process to `now` (ms since epoch) in steps of at most 100 ms. */
  step(now: number): void {
    while (this.t < now) {
      const dt = Math.min(100, now - this.t);
      this.t += dt;
      this.compute(dt / 1000);
    }
  }

  value(path: string): SimValue {
    const v = this.values.get(path);
    if (v === undefined) throw new Error(`demo plant has no tag ${path}`);
    return v;
  }

  snapshot(): ReadonlyMap<string, SimValue> {
    return this.values;
  }

  /** A write from a client (setpoints and run commands). Throws on unknown or read-only tags. */
  write(path: string, value: SimValue): void {
    const tag = this.tags.find((t) => t.path === path);
    if (!tag?.writable) throw new Error(`${path} is not writable`);
    const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (!Number.isFinite(n) || n < tag.writable.min || n > tag.writable.max) {
      throw new Error(`${path}: ${n} is outside ${tag.writable.min}…${tag.writable.max}`);
    }
    const [area, machine, name] = path.split('/');
    if (area === 'PumpStation') {
      const pump = this.pumps.find((p) => p.name === machine);
      if (pump && name === 'SpeedSetpoint') pump.speedSp = n;
      if (pump && name === 'RunCommand') {
        pump.running = n !== 0 && pump.trippedAt === null;
      }
    } else if (machine === 'Compressor1' && name === 'PressureSetpoint') this.comp.pressureSp = n;
    else if (machine === 'Boiler1' && name === 'SteamPressureSetpoint') this.boiler.pressureSp = n;
    this.values.set(path, value);
  }

  private noise(scale: number): number {
    // Sum of uniforms: cheap, bounded, roughly Gaussian.
    return (this.rand() + this.rand() + this.rand() - 1.5) * scale;
  }

  private localHour(t: number): number {
    const d = new Date(t);
    return d.getHours() + d.getMinutes() / 60;
  }

  private shiftRunsLine(t: number): boolean {
    const h = this.localHour(t);
    const inShift = h >= 6 && h < 22;
    // A 10-minute break every two hours, so operators see a machine stop and start.
    const minuteOfCycle = Math.floor((t / 60_000) % 120);
    return inShift && minuteOfCycle >= 10;
  }

  private compute(dt: number): void {
    const t = this.t;
    const hour = this.localHour(t);
    // Lower header demand at night slows Pump102 (80 % → 72 %, ~93 m³/h): still above its 80 m³/h
    // low-flow limit, since a quieter night is normal operation, not a standing alarm.
    const demandFactor = hour >= 6 && hour < 22 ? 1 : 0.9;

    // --- Pumps: two parallel pumps on one header, system curve H = H0 + k Q²
    let totalFlow = 0;
    for (const p of this.pumps) {
      if (p.trippedAt !== null && t - p.trippedAt >= this.repairS * 1000) {
        // The repair: a new bearing, back in service.
        p.trippedAt = null;
        p.wear = 0;
        p.healthyLeft = this.healthyAfterRepairS;
        p.running = true;
      }
      const targetSpeed = p.running ? (2970 * p.speedSp * (p === this.pumps[1] ? demandFactor : 1)) / 100 : 0;
      p.speed += (targetSpeed - p.speed) * Math.min(1, dt / 3);
      const s = p.speed / 2970;
      // Pump curve at speed s: H = 60 s² − 0.0009 Q²; system curve: H = 18 + 0.0006 Q² (per pump share).
      const q = s > 0.35 ? Math.sqrt(Math.max(0, (60 * s * s - 18) / 0.0015)) : 0;
      p.flow = q;
      p.head = 18 + 0.0006 * q * q;
      const eff = 0.78 * (1 - ((q / (s || 1) - 140) / 220) ** 2) - p.wear * 0.06;
      const hydraulicKW = (RHO_G * (q / 3600) * p.head) / 1000;
      p.power = p.speed > 1 ? hydraulicKW / Math.max(0.35, eff) + 2.5 + p.wear * 4 : 0;
      if (p.wearing && p.running && p.trippedAt === null) {
        if (p.healthyLeft > 0) p.healthyLeft = Math.max(0, p.healthyLeft - dt);
        else p.wear = Math.min(1, p.wear + dt / this.wearCycleS);
      }
      // Bearing: vibration grows faster than linearly with wear; temperature follows with a lag.
      const vibTarget = p.speed > 1 ? 1.2 + 0.9 * s + 9 * p.wear ** 2.2 : 0.1;
      p.vibration += (vibTarget - p.vibration) * Math.min(1, dt / 2);
      const btTarget = AMBIENT_C + (p.speed > 1 ? 20 + 14 * s + 38 * p.wear ** 1.8 : 0);
      p.bearingTemp += (btTarget - p.bearingTemp) * Math.min(1, dt / 40);
      const mtTarget = AMBIENT_C + p.power * 0.45;
      p.motorTemp += (mtTarget - p.motorTemp) * Math.min(1, dt / 120);
      if (p.wear >= 1 && p.trippedAt === null) {
        p.trippedAt = t;
        p.running = false;
      }
      p.energyKWh += (p.power * dt) / 3600;
      p.volumeM3 += (q * dt) / 3600;
      totalFlow += q;

      const base = `PumpStation/${p.name}/`;
      this.set(`${base}Running`, p.speed > 100);
      this.set(`${base}Tripped`, p.trippedAt !== null);
      this.set(`${base}SpeedSetpoint`, p.speedSp);
      this.set(`${base}RunCommand`, p.running);
      this.set(`${base}Speed`, p.speed + (p.speed > 1 ? this.noise(3) : 0));
      this.set(`${base}Flow`, Math.max(0, q + (q > 0 ? this.noise(1.2) : 0)));
      this.set(`${base}SuctionPressure`, 1.2 + this.noise(0.02));
      this.set(`${base}DischargePressure`, 1.2 + (RHO_G * p.head) / 1e5 + this.noise(0.03));
      this.set(`${base}MotorCurrent`, p.power > 0 ? (p.power * 1000) / (Math.sqrt(3) * 400 * 0.87) + this.noise(0.4) : 0);
      this.set(`${base}Power`, Math.max(0, p.power + (p.power > 0 ? this.noise(0.3) : 0)));
      this.set(`${base}BearingTemp`, p.bearingTemp + this.noise(0.15));
      this.set(`${base}MotorTemp`, p.motorTemp + this.noise(0.15));
      this.set(`${base}VibrationRMS`, Math.max(0, p.vibration + this.noise(0.08 + p.wear * 0.4)));
      this.set(`${base}EnergyTotal`, p.energyKWh);
    }
    this.set('PumpStation/Header/Flow', totalFlow + this.noise(1.5));
    this.set('PumpStation/Header/Pressure', 1.2 + (RHO_G * (18 + 0.0006 * (totalFlow / 2) ** 2)) / 1e5 + this.noise(0.02));

    // --- Production line and its air demand
    const lineShould = this.shiftRunsLine(t);
    this.line.running = lineShould;
    this.line.rate += ((lineShould ? 1.6 : 0) - this.line.rate) * Math.min(1, dt / 5); // units/s
    this.line.unitFraction += this.line.rate * dt;
    const whole = Math.floor(this.line.unitFraction);
    this.line.units += whole;
    this.line.unitFraction -= whole;
    const linePower = this.line.running ? 38 + this.noise(1.5) : 6 + this.noise(0.3); // standby load
    this.line.energyKWh += (linePower * dt) / 3600;
    this.set('Production/Line1/Running', this.line.running);
    this.set('Production/Line1/UnitsProduced', this.line.units);
    this.set('Production/Line1/Rate', this.line.rate * 60);
    this.set('Production/Line1/Power', linePower);
    this.set('Production/Line1/EnergyTotal', this.line.energyKWh);

    // --- Developing faults of the utilities (UTILITY_FAULTS), on a fixed schedule from the start.
    const since = (t - this.startedAt) / 1000;
    const leakAge = this.faults ? faultAge(UTILITY_FAULTS.leak, since) : null;
    this.comp.leak = leakAge === null ? 0 : leakAge * UTILITY_FAULTS.leak.growth;
    const o2Age = this.faults ? faultAge(UTILITY_FAULTS.o2, since) : null;
    this.boiler.o2Fault = o2Age === null ? 0 : o2Age * UTILITY_FAULTS.o2.growth;

    // --- Compressor: load/unload control around the pressure setpoint
    const c = this.comp;
    const airDemand = 4 + (this.line.running ? 9 : 0) + c.leak; // Nm³/min
    if (c.pressure > c.pressureSp + 0.3) c.loaded = false;
    if (c.pressure < c.pressureSp - 0.3) c.loaded = true;
    const airSupply = c.loaded ? 16 : 0;
    c.pressure += ((airSupply - airDemand) / 40) * dt;
    c.pressure = Math.max(0, Math.min(9.5, c.pressure));
    const compPower = c.loaded ? 88 + c.pressure * 3 : 28;
    c.energyKWh += (compPower * dt) / 3600;
    c.dischargeTemp += ((c.loaded ? 85 : 60) - c.dischargeTemp) * Math.min(1, dt / 30);
    c.oilTemp += ((c.loaded ? 62 : 52) - c.oilTemp) * Math.min(1, dt / 90);
    this.set('Utilities/Compressor1/Running', c.running);
    this.set('Utilities/Compressor1/Loaded', c.loaded);
    this.set('Utilities/Compressor1/PressureSetpoint', c.pressureSp);
    this.set('Utilities/Compressor1/DischargePressure', c.pressure + this.noise(0.02));
    this.set('Utilities/Compressor1/AirFlow', airSupply > 0 ? airSupply + this.noise(0.2) : 0);
    this.set('Utilities/Compressor1/MotorCurrent', (compPower * 1000) / (Math.sqrt(3) * 400 * 0.88) + this.noise(0.5));
    this.set('Utilities/Compressor1/Power', compPower + this.noise(0.6));
    this.set('Utilities/Compressor1/DischargeTemp', c.dischargeTemp + this.noise(0.2));
    this.set('Utilities/Compressor1/OilTemp', c.oilTemp + this.noise(0.1));
    this.set('Utilities/Compressor1/VibrationRMS', (c.loaded ? 2.4 : 1.6) + this.noise(0.1));
    this.set('Utilities/Compressor1/EnergyTotal', c.energyKWh);

    // --- Boiler: firing rate follows steam demand, PI-ish on pressure
    const b = this.boiler;
    const steamDemand = (this.line.running ? 3.2 : 1.6) + 0.3 * Math.sin((2 * Math.PI * (t / 1000)) / 600); // t/h
    const firing = Math.max(0.15, Math.min(1, 0.35 + (b.pressureSp - b.pressure) * 0.8 + steamDemand / 6));
    b.fuel = firing * 420; // Nm³/h natural gas
    const steamMade = (b.fuel * 10.5 * 0.88) / 700; // t/h, 10.5 kWh/Nm³, 700 kWh per t steam
    b.steam = steamDemand;
    b.pressure += ((steamMade - steamDemand) / 6) * dt;
    b.pressure = Math.max(0, Math.min(14, b.pressure));
    const feedwater = steamDemand + (50 - b.level) * 0.05; // m³/h ≈ t/h
    b.level += ((feedwater - steamDemand) / 2) * dt;
    b.flueTemp += (150 + firing * 70 - b.flueTemp) * Math.min(1, dt / 60);
    const boilerPower = 8 + firing * 14;
    b.energyKWh += (boilerPower * dt) / 3600;
    b.fuelNm3 += (b.fuel * dt) / 3600;
    b.waterM3 += (feedwater * dt) / 3600;
    this.set('Utilities/Boiler1/Running', b.running);
    this.set('Utilities/Boiler1/SteamPressureSetpoint', b.pressureSp);
    this.set('Utilities/Boiler1/SteamPressure', b.pressure + this.noise(0.03));
    this.set('Utilities/Boiler1/SteamFlow', b.steam + this.noise(0.04));
    this.set('Utilities/Boiler1/FuelFlow', b.fuel + this.noise(2));
    this.set('Utilities/Boiler1/FeedwaterFlow', Math.max(0, feedwater + this.noise(0.04)));
    this.set('Utilities/Boiler1/DrumLevel', b.level + this.noise(0.3));
    this.set('Utilities/Boiler1/FlueGasTemp', b.flueTemp + this.noise(0.4));
    this.set('Utilities/Boiler1/FlueGasO2', 3.2 + (1 - firing) * 1.5 + b.o2Fault + this.noise(0.05));
    this.set('Utilities/Boiler1/Power', boilerPower + this.noise(0.2));
    this.set('Utilities/Boiler1/FuelTotal', b.fuelNm3);
    this.set('Utilities/Boiler1/WaterTotal', b.waterM3);
    this.set('Utilities/Boiler1/EnergyTotal', b.energyKWh);
    this.set('Site/Plant/Uptime', (t - this.startedAt) / 1000);

    // --- Site: outdoor conditions (a LoRaWAN-style sensor) and the main electricity meter.
    this.set('Site/Weather/AmbientTemp', 12 + 6 * Math.sin((2 * Math.PI * (hour - 9)) / 24) + this.noise(0.1));
    this.set('Site/Weather/Humidity', 70 - 15 * Math.sin((2 * Math.PI * (hour - 9)) / 24) + this.noise(0.5));
    const siteKW = this.pumps.reduce((a, p) => a + p.power, 0) + compPower + boilerPower + linePower + 12; // + lighting and offices
    this.siteEnergyKWh += (siteKW * dt) / 3600;
    this.set('Site/MainMeter/Power', siteKW + this.noise(0.8));
    this.set('Site/MainMeter/EnergyTotal', this.siteEnergyKWh);
  }

  private set(path: string, v: SimValue): void {
    this.values.set(path, typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v);
  }
}

function defineTags(): SimTag[] {
  const tags: SimTag[] = [];
  const add = (path: string, unit: string, description: string, kind: SimTag['kind'] = 'analog', extra: Partial<SimTag> = {}) =>
    tags.push({ path, unit, description, kind, ...extra });
  for (const p of ['Pump101', 'Pump102']) {
    const b = `PumpStation/${p}/`;
    add(`${b}Running`, '', 'Pump running', 'bool');
    add(`${b}Tripped`, '', 'Motor protection trip', 'bool');
    add(`${b}RunCommand`, '', 'Run command', 'bool', { writable: { min: 0, max: 1 } });
    add(`${b}SpeedSetpoint`, '%', 'Speed setpoint', 'analog', { writable: { min: 40, max: 100 }, range: [40, 100] });
    add(`${b}Speed`, 'rpm', 'Motor speed', 'analog', { range: [0, 3000] });
    add(`${b}Flow`, 'm³/h', 'Discharge flow', 'analog', { range: [0, 250] });
    add(`${b}SuctionPressure`, 'bar', 'Suction pressure', 'analog', { range: [0, 3] });
    add(`${b}DischargePressure`, 'bar', 'Discharge pressure', 'analog', { range: [0, 8] });
    add(`${b}MotorCurrent`, 'A', 'Motor current', 'analog', { range: [0, 150] });
    add(`${b}Power`, 'kW', 'Motor active power', 'analog', { range: [0, 90] });
    add(`${b}BearingTemp`, '°C', 'Drive-end bearing temperature', 'analog', { range: [20, 110] });
    add(`${b}MotorTemp`, '°C', 'Motor winding temperature', 'analog', { range: [20, 130] });
    add(`${b}VibrationRMS`, 'mm/s', 'Bearing vibration velocity RMS (ISO 10816)', 'analog', { range: [0, 12] });
    add(`${b}EnergyTotal`, 'kWh', 'Energy meter', 'counter');
  }
  add('PumpStation/Header/Flow', 'm³/h', 'Header total flow', 'analog', { range: [0, 500] });
  add('PumpStation/Header/Pressure', 'bar', 'Header pressure', 'analog', { range: [0, 8] });
  const c = 'Utilities/Compressor1/';
  add(`${c}Running`, '', 'Compressor running', 'bool');
  add(`${c}Loaded`, '', 'Compressor loaded', 'bool');
  add(`${c}PressureSetpoint`, 'bar', 'Pressure setpoint', 'analog', { writable: { min: 5, max: 8.5 }, range: [5, 8.5] });
  add(`${c}DischargePressure`, 'bar', 'Discharge pressure', 'analog', { range: [0, 10] });
  add(`${c}AirFlow`, 'Nm³/min', 'Free air delivery', 'analog', { range: [0, 20] });
  add(`${c}MotorCurrent`, 'A', 'Motor current', 'analog', { range: [0, 250] });
  add(`${c}Power`, 'kW', 'Motor active power', 'analog', { range: [0, 130] });
  add(`${c}DischargeTemp`, '°C', 'Air-end discharge temperature', 'analog', { range: [20, 110] });
  add(`${c}OilTemp`, '°C', 'Oil temperature', 'analog', { range: [20, 90] });
  add(`${c}VibrationRMS`, 'mm/s', 'Vibration velocity RMS', 'analog', { range: [0, 10] });
  add(`${c}EnergyTotal`, 'kWh', 'Energy meter', 'counter');
  const b = 'Utilities/Boiler1/';
  add(`${b}Running`, '', 'Burner firing', 'bool');
  add(`${b}SteamPressureSetpoint`, 'bar', 'Steam pressure setpoint', 'analog', { writable: { min: 6, max: 12 }, range: [6, 12] });
  add(`${b}SteamPressure`, 'bar', 'Steam drum pressure', 'analog', { range: [0, 14] });
  add(`${b}SteamFlow`, 't/h', 'Steam flow', 'analog', { range: [0, 6] });
  add(`${b}FuelFlow`, 'Nm³/h', 'Natural gas flow', 'analog', { range: [0, 450] });
  add(`${b}FeedwaterFlow`, 'm³/h', 'Feedwater flow', 'analog', { range: [0, 6] });
  add(`${b}DrumLevel`, '%', 'Drum level', 'analog', { range: [0, 100] });
  add(`${b}FlueGasTemp`, '°C', 'Flue gas temperature', 'analog', { range: [100, 300] });
  add(`${b}FlueGasO2`, '%', 'Flue gas oxygen', 'analog', { range: [0, 10] });
  add(`${b}Power`, 'kW', 'Auxiliaries power (fans, pumps)', 'analog', { range: [0, 30] });
  add(`${b}FuelTotal`, 'Nm³', 'Gas meter', 'counter');
  add(`${b}WaterTotal`, 'm³', 'Water meter', 'counter');
  add(`${b}EnergyTotal`, 'kWh', 'Energy meter', 'counter');
  const l = 'Production/Line1/';
  add(`${l}Running`, '', 'Line running', 'bool');
  add(`${l}UnitsProduced`, 'units', 'Production counter', 'counter');
  add(`${l}Rate`, 'units/min', 'Production rate', 'analog', { range: [0, 120] });
  add(`${l}Power`, 'kW', 'Line active power', 'analog', { range: [0, 60] });
  add(`${l}EnergyTotal`, 'kWh', 'Energy meter', 'counter');
  add('Site/Plant/Uptime', 's', 'Seconds since the plant simulation started', 'counter');
  add('Site/Weather/AmbientTemp', '°C', 'Outdoor temperature', 'analog', { range: [-10, 35] });
  add('Site/Weather/Humidity', '%', 'Outdoor relative humidity', 'analog', { range: [20, 100] });
  add('Site/MainMeter/Power', 'kW', 'Site incomer active power', 'analog', { range: [0, 400] });
  add('Site/MainMeter/EnergyTotal', 'kWh', 'Site incomer energy meter', 'counter');
  return tags;
}
