/**
 * Turns a provider's raw device fields into the port's Device, forgivingly: every field may be
 * missing or odd, and one odd device must not hide the others.
 */
import type { BatteryStatus, Device, DeviceType } from '../ports';

const STATUSES: Record<string, BatteryStatus> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  empty: 'Empty',
};

export interface RawDevice {
  id: unknown;
  name: unknown;
  type: unknown;
  status: unknown;
  level: unknown;
  /** RFC 3339 string, or epoch milliseconds already converted by the adapter. */
  lastSyncTime: unknown;
}

export function normaliseDevice(raw: RawDevice): Device {
  const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id.slice(0, 64) : undefined;
  const name =
    typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name.trim().slice(0, 64) : 'Fitbit device';
  const type: DeviceType = raw.type === 'TRACKER' || raw.type === 'SCALE' ? raw.type : 'UNKNOWN';
  const status = typeof raw.status === 'string' ? STATUSES[raw.status.toLowerCase()] : undefined;
  // Number('') is 0: a blank level must read as unknown, not as an empty battery.
  const levelNumber =
    typeof raw.level === 'string' ? (raw.level.trim() === '' ? undefined : Number(raw.level)) : raw.level;
  const level =
    typeof levelNumber === 'number' && Number.isFinite(levelNumber) && levelNumber >= 0 && levelNumber <= 100
      ? Math.round(levelNumber)
      : undefined;
  const syncMs =
    typeof raw.lastSyncTime === 'string'
      ? Date.parse(raw.lastSyncTime)
      : typeof raw.lastSyncTime === 'number'
        ? raw.lastSyncTime
        : Number.NaN;
  const device: Device = { id: id ?? `${type.toLowerCase()}-${name}`, name, type };
  if (status) device.batteryStatus = status;
  if (level !== undefined) device.batteryLevel = level;
  // Date's range is ±8.64e15 ms; beyond it toISOString throws and would hide every other device.
  if (Number.isFinite(syncMs) && Math.abs(syncMs) <= 8.64e15)
    device.lastSyncTime = new Date(syncMs).toISOString();
  return device;
}
