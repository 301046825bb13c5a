/** The machine a benchmark ran on, recorded beside its figures. */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryMB: number;
  os: string;
  node: string;
  date: string;
  /** How the two sides were placed on CPUs. */
  pinning: string;
  /** 1, 5 and 15-minute load averages when the run started: how quiet the machine was. */
  loadAverage: number[];
}

export function machineInfo(pinning: string): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    // cpus(), not availableParallelism(): the latter shrinks to 1 once this process is pinned.
    cores: cpus().length,
    memoryMB: Math.round(totalmem() / 2 ** 20),
    os: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
    pinning,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
